"""Development-side tools, never shipped: the helpers tests, benchmarks, fuzzing and evaluation share
(start the real server, drive a Compose stack, re-run the docs' examples), the machine's Debian
packages (system-deps.sh), and the page's browser runtime from npm (web/)."""
