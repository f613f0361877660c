import sys

from factsheet.cli import main

sys.exit(main())
