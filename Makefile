# Shortcuts for the two README commands and the benchmarks.
.PHONY: run test bench

run:
	go run ./cmd/prepaidreg serve

test:
	scripts/test.sh

bench:
	go test -run '^$$' -bench . -benchmem -count 6 ./api/
