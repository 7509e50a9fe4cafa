"""Runs every test_*.py here with unittest and prints one line for scripts/test.sh:
'python clients passed=N failed=M'. Exits non-zero on any failure."""

import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py", top_level_dir=here)
result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
passed = result.testsRun - failed - len(result.skipped)
print(f"python clients passed={passed} failed={failed + len(result.skipped)}")
sys.exit(0 if failed == 0 and not result.skipped and result.testsRun > 0 else 1)
