# Shortcuts for the common commands; the scripts are the source of truth.
.PHONY: run test test-fast format bench fuzz clean

run:
	scripts/run.sh
test:
	scripts/test.sh
test-fast:
	scripts/test.sh --fast
format:
	scripts/format.sh
bench:
	scripts/bench.sh
fuzz:
	scripts/fuzz.sh
clean:
	rm -rf build build-asan build-release build-fuzz
