import argparse
import sys

from demo import main

parser = argparse.ArgumentParser(prog="python -m demo")
parser.add_argument("--out", default="./demo-output")
parser.add_argument("--keep", action="store_true")
parser.add_argument("--data-dir")
parser.add_argument("--quick", action="store_true")
args = parser.parse_args()
sys.exit(main(args.out, keep=args.keep, data_dir=args.data_dir, quick=args.quick))
