import sys

from nlstate.cli import main

sys.exit(main())
