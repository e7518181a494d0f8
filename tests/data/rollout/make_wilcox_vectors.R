# Regenerates wilcox_r.tsv: R's wilcox.test(x, y, conf.int = TRUE, conf.level = 0.98,
# exact = FALSE, correct = TRUE) on varied samples (ties, small and large, shifted, counts).
#   Rscript tests/data/rollout/make_wilcox_vectors.R > tests/data/rollout/wilcox_r.tsv
set.seed(20261125)
cases <- list(
  list(x = c(1.1, 2.2, 3.3, 4.4, 5.5), y = c(2.5, 3.5, 4.5, 5.5, 6.5, 7.5)),
  list(x = c(1, 1, 2, 2, 3, 3, 4), y = c(2, 2, 3, 3, 4, 4, 5, 5)),
  list(x = c(0, 0, 0, 1, 0, 0, 2), y = c(0, 1, 0, 0, 0, 3, 0, 0)),
  list(x = c(10, 20), y = c(15, 25, 30)),
  list(x = c(5, 6, 7), y = c(5, 6, 7))
)
for (i in 1:12) {
  n <- sample(c(5, 10, 30, 100, 300), 1); m <- sample(c(5, 12, 40, 150), 1)
  shift <- sample(c(0, 0.02, 0.05, 0.2, 1), 1)
  cases[[length(cases) + 1]] <- list(x = rnorm(n, 100 * (1 + shift), 10), y = rnorm(m, 100, 10))
}
for (i in 1:8) {
  n <- sample(c(8, 20, 60, 200), 1); m <- sample(c(8, 25, 80), 1)
  cases[[length(cases) + 1]] <- list(x = rpois(n, sample(c(0.5, 3, 20), 1)), y = rpois(m, 3))
}
for (i in 1:5) {
  cases[[length(cases) + 1]] <- list(x = round(rlnorm(50, 4, 0.6), 1), y = round(rlnorm(45, 4.1, 0.6), 1))
}
cat("x\ty\tW\tp\testimate\tlow\thigh\n")
for (k in cases) {
  r <- suppressWarnings(wilcox.test(k$x, k$y, conf.int = TRUE, conf.level = 0.98, exact = FALSE, correct = TRUE))
  f <- function(v) paste(sprintf("%.17g", v), collapse = ",")
  cat(sprintf("%s\t%s\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\n", f(k$x), f(k$y), r$statistic, r$p.value, r$estimate, r$conf.int[1], r$conf.int[2]))
}
