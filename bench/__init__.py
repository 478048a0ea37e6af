"""The benchmark (bench/README.md): data at a province's volume, timed operations, an HTTP load run."""
