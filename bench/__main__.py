"""``python -m bench``: run the benchmarks and print the table (see ``bench.run``)."""

from bench.run import main

if __name__ == "__main__":
    main()
