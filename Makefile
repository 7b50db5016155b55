# SPDX-License-Identifier: GPL-2.0
# phys-range dma-buf for Linux 6.12 LTS: the series and its workbench.
# Everything is done by workbench/wb; see README.md.

WB := bash workbench/wb

check:   ## build the debug kernel, boot every topology, run every test
	$(WB) check
run:     ## build, boot the iommu topology, show it and run the zero-copy demo
	$(WB) run
bench:   ## non-debug kernel, benchmarks -> results/bench.csv
	$(WB) bench
fuzz:    ## dmabuf-fuzz campaign on one topology: make fuzz SECONDS=600 SEED=1 [TOPOLOGY=iommu] [KNOWN=]
	$(if $(filter-out undefined,$(origin KNOWN)),WB_FUZZ_KNOWN='$(KNOWN)') \
	WB_FUZZ_TOPOLOGY=$(or $(TOPOLOGY),iommu) $(WB) fuzz $(or $(SECONDS),600) $(SEED)
series:  ## export the series for git am (out/series) and prove it applies
	$(WB) series
compile-test: ## build every videobuf2 allocator user (COMPILE_TEST) without and with the series; fail on a new warning
	$(WB) compile-test
build:   ## build the vm kernel only (make build FLAVOR=debug for the other)
	$(WB) build $(or $(FLAVOR),vm)
deps:    ## install the Debian packages the workbench needs (as root)
	$(WB) deps
clean:   ## remove results and exported patches (the kernel cache stays)
	rm -rf results out

.PHONY: check run bench fuzz series compile-test build deps clean
