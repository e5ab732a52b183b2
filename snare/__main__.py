"""`python -m snare` (and `accelerate launch -m snare`) run the CLI."""

from snare.cli.main import main

if __name__ == "__main__":
    main()
