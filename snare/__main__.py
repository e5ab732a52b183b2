"""`python -m snare` (and `accelerate launch -m snare`) run the CLI."""

import sys

try:
    from snare.cli.main import main
except KeyboardInterrupt:  # Ctrl-C while the CLI is still importing: one line, as during a command
    sys.stderr.write("error: interrupted; no output was written\n")
    sys.exit(130)

if __name__ == "__main__":
    main()
