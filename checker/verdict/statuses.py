"""The verdicts a provision can have, in the order every output counts them: a module of its own, so that the CLI
can name them (--fail-on) without loading the pipeline."""

STATUSES = ("met", "partially_met", "not_met", "waived", "not_applicable", "not_assessed")
