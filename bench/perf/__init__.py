"""Performance benchmark: build, scale, rebuild, page weight, Lighthouse and FAQ unlock (`make bench`)."""
