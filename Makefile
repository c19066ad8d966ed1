.PHONY: test bench
test:
	scripts/test

bench:
	.venv/bin/python bench/bench_schedule.py
	.venv/bin/python bench/bench_middleware.py
	.venv/bin/python bench/bench_history.py
