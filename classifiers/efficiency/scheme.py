"""The label-scheme interface and its registry."""

from __future__ import annotations

from abc import ABC, abstractmethod

import pandas as pd

from hubcarbon.core.registry import Registry


class LabelScheme(ABC):
    """A carbon-efficiency label scheme: a stable id, its method text (the class docstring) and a
    function from per-model inputs to one labelled row per model."""

    id: str

    @abstractmethod
    def label(self, inputs: pd.DataFrame) -> pd.DataFrame:
        """Label every row of `inputs` (see core.INPUT_COLUMNS); one output row per input row."""


LABEL_SCHEMES: Registry[LabelScheme] = Registry("label scheme", lambda scheme: scheme.id)
