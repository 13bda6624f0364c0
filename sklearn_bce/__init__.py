"""Logistic regression by batch gradient descent on the binary cross-entropy.

``BCELogisticRegression`` is a scikit-learn classifier that minimises the same
objective as ``sklearn.linear_model.LogisticRegression`` for the same ``C``
(with several classes, that of ``OneVsRestClassifier(LogisticRegression())``:
it fits one-vs-rest), by the textbook algorithm: logits, sigmoid,
cross-entropy, its gradient and batch gradient descent with a learning rate.
"""

from ._inference import coef_table
from ._logistic import BCELogisticRegression
from ._plotting import LearningRateDisplay, LossCurveDisplay
from ._search import BCELogisticRegressionCV

__version__ = "0.1.0.dev0"

__all__ = [
    "BCELogisticRegression",
    "BCELogisticRegressionCV",
    "LearningRateDisplay",
    "LossCurveDisplay",
    "__version__",
    "coef_table",
]
