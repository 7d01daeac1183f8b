# The two commands of the README, and what they stand on.
SWIFT ?= swift
BBX = .build/debug/bbx

.PHONY: deps build demo test lint format fuzz man dist dist-check throwaway-kinds

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

# The main job on the built-in sandbox: the release example planned and applied against an
# emulator started for the run (nothing reaches Bitbucket). Paths in scripts are relative to the
# current directory, hence the cd.
demo: build
	cd examples && ../$(BBX) run release.bbx --sandbox

# The heavy suites run after the rest, alone: those that pay minisign's full scrypt cost (see
# MinisignTests), and the workspace cleanup of 250 repositories (6,250 deletes): beside the
# others they starve the tests that race a job against bbx.
HEAVY = MinisignFullCostTests|WorkspaceEndToEndTests
test: deps lint
	$(SWIFT) test --disable-xctest --skip '$(HEAVY)'
	$(SWIFT) test --disable-xctest --skip-build --filter '$(HEAVY)'

# Style, by the formatter that ships with the toolchain (.swift-format holds the settings).
lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift benchmarks/client-transfer benchmarks/signing fuzz

# Reformat the examples in place (the tests fail if they are not formatted).
format: build
	$(BBX) fmt examples/*.bbx

# libFuzzer targets (fuzz/), each run for FUZZ_SECONDS (default 60); see scripts/fuzz.sh.
FUZZ_SECONDS ?= 60
fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS)

# The manual page, from the commands' own help (swift-argument-parser's GenerateManual plugin,
# which builds bbx in release mode first): .build/man/bbx.1, read with `man .build/man/bbx.1`.
man: deps
	$(SWIFT) package generate-manual
	mkdir -p .build/man
	cp .build/plugins/GenerateManual/outputs/bbx/bbx.1 .build/man/bbx.1
	@echo "wrote .build/man/bbx.1"

# The release tarball: dist/bbx-VERSION-linux-x86_64.tar.gz and .sha256 (scripts/dist.sh says
# what is in it and how it is linked).
dist: deps
	scripts/dist.sh

# The tarball on a bare Debian (mmdebstrap minbase, in a chroot): scripts/dist-check.sh.
dist-check: dist
	scripts/dist-check.sh

# The README's checklists for a new statement or step kind, checked: a scratch copy with a
# throwaway kind of each, built until clean (many minutes; by hand, not in CI).
throwaway-kinds: deps
	scripts/throwaway-kinds.py
