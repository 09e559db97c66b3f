"""`python -m clearway.cli …`, the same as the `clearway` entry point."""

from clearway.cli import app

if __name__ == "__main__":
    app()
