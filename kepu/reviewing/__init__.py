"""The reviewer lead's use cases: the expert queue, Label Studio rounds, verdicts and their feedback."""
