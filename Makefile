# The two commands of the README: `make run` and `make test`.
.PHONY: run test bench lint backup
run:
	@bash scripts/run.sh
test:
	@bash scripts/test.sh
bench:
	@bash scripts/bench.sh
lint:
	@.venv/bin/ruff check .
backup:
	@.venv/bin/python manage.py backup
