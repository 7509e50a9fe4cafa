// The ivfflat / ivf access methods: handler, reloptions, GUCs and cost estimate.
#include "pg/pg_headers.h"

#include "pg/module.h"

// Registers the ivfflat GUCs and the ivf reloptions.
void IvfInitModule(void) {}
