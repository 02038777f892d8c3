"""The domain layer: every rule decided in a plain module (matching, permissions, the vocabulary,
normalization, data residency) and the one RuleError that carries a broken rule to its field."""
