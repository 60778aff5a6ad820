"""python3 -m solver.check PROBLEM.json SOLUTION.json"""
import sys

from solver.check.judge import main

sys.exit(main())
