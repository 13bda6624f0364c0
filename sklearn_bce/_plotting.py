"""Plots of the fitted objective, following scikit-learn's Display API."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["LossCurveDisplay"]


def _check_matplotlib(caller_name):
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller_name} requires matplotlib. You can install matplotlib with "
            "`pip install matplotlib`."
        ) from exc


def _as_rows(curve, name):
    """A loss curve as a 2-D float array, one row per binary problem."""
    curve = np.asarray(curve, dtype=np.float64)
    if curve.ndim == 1:
        return curve[None, :]
    if curve.ndim == 2:
        return curve
    raise ValueError(
        f"{name} must be 1-D (one problem) or 2-D (one row per class), got an "
        f"array of shape {curve.shape}."
    )


class LossCurveDisplay:
    """Loss curve visualisation: the objective after each iteration.

    It is recommended to use :meth:`~LossCurveDisplay.from_estimator` to create
    a ``LossCurveDisplay``.  All parameters are stored as attributes.

    Parameters
    ----------
    loss_curve : ndarray of shape (n_iter,) or (n_classes, n_iter)
        Training objective after each iteration, as in the ``loss_curve_``
        attribute of :class:`~sklearn_bce.BCELogisticRegression`: one row per
        class for one-vs-rest models, padded with NaN after a class stopped.

    validation_loss_curve : ndarray of shape (n_iter,) or (n_classes, n_iter), \
            default=None
        Objective on held-out data after each iteration, with the same shape
        convention as ``loss_curve``.  ``None`` draws no validation curve.

    class_names : array-like of shape (n_classes,), default=None
        Names of the rows of a 2-D ``loss_curve``, used in the legend.
        ``None`` numbers them ``0, 1, ...``.  Ignored for a 1-D curve.

    estimator_name : str, default=None
        Name of the estimator, used in the legend.  ``None`` leaves it out.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the loss curves.

    figure_ : matplotlib Figure
        Figure containing the curves.

    lines_ : list of matplotlib Line2D
        The curves: one per class (one for a binary model), followed by the
        validation curves when there are any.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Scores against the number of
        training samples.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")  # draw off-screen
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_bce import BCELogisticRegression
    >>> from sklearn_bce._plotting import LossCurveDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = BCELogisticRegression().fit(X, y)
    >>> display = LossCurveDisplay(
    ...     loss_curve=clf.loss_curve_, class_names=clf.classes_
    ... )
    >>> display = display.plot(log_gap=True)
    >>> len(display.lines_)
    3
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_loss_curve=None,
        class_names=None,
        estimator_name=None,
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.class_names = class_names
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, log_gap=False, **kwargs):
        """Plot the loss curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on.  ``None`` creates a new figure and axes.

        log_gap : bool, default=False
            Plot ``objective - min(objective)`` of each curve on a logarithmic
            scale instead of the objective, which shows the rate of
            convergence.  The iterations where the gap is zero (the best value
            itself) are left out of the line.

        **kwargs : dict
            Keyword arguments passed to :meth:`matplotlib.axes.Axes.plot` for
            every line; they override the defaults (``label``, and the colour
            and dashed style of validation curves).

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the plotted lines.
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        train = _as_rows(self.loss_curve, "loss_curve")
        validation = None
        if self.validation_loss_curve is not None:
            validation = _as_rows(self.validation_loss_curve, "validation_loss_curve")
            if len(validation) != len(train):
                raise ValueError(
                    "validation_loss_curve must have one row per row of "
                    f"loss_curve ({len(train)}), got {len(validation)}."
                )
        multiclass = np.ndim(self.loss_curve) == 2
        names = None
        if multiclass:
            names = (
                list(range(len(train)))
                if self.class_names is None
                else list(self.class_names)
            )
            if len(names) != len(train):
                raise ValueError(
                    f"class_names has {len(names)} entries, but loss_curve has "
                    f"{len(train)} rows."
                )

        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots()

        def label(row, kind):
            parts = [] if self.estimator_name is None else [self.estimator_name]
            if multiclass:
                parts.append(f"class {names[row]}")
            if validation is not None:
                parts.append(kind)
            return ", ".join(str(part) for part in parts) or None

        lines = []
        for row, curve in enumerate(train):
            x, y = self._points(curve, log_gap)
            (line,) = ax.plot(x, y, **{"label": label(row, "training"), **kwargs})
            lines.append(line)
        if validation is not None:
            for row, curve in enumerate(validation):
                x, y = self._points(curve, log_gap)
                defaults = {
                    "label": label(row, "validation"),
                    "color": lines[row].get_color(),
                    "linestyle": "--",
                }
                (line,) = ax.plot(x, y, **{**defaults, **kwargs})
                lines.append(line)

        ax.set_xlabel("iteration")
        if log_gap:
            ax.set_yscale("log")
            ax.set_ylabel("objective - min(objective)")
        else:
            ax.set_ylabel("objective")
        if any(
            line.get_label() and not line.get_label().startswith("_") for line in lines
        ):
            ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        self.lines_ = lines
        return self

    @staticmethod
    def _points(curve, log_gap):
        """Iterations (from 1) and values of one curve, its NaN padding dropped."""
        kept = ~np.isnan(curve)
        x = np.flatnonzero(kept) + 1
        y = curve[kept]
        if log_gap and y.size:
            gap = y - y.min()
            # log scale: leave the zeros (the best value) out, keep the gaps.
            y = np.where(gap > 0, gap, np.nan)
        return x, y

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, log_gap=False, **kwargs):
        """Plot the loss curves of a fitted estimator.

        Parameters
        ----------
        estimator : estimator instance
            A fitted :class:`~sklearn_bce.BCELogisticRegression`, or a fitted
            :class:`~sklearn.pipeline.Pipeline` whose last step is one.  Its
            ``loss_curve_`` is plotted, and its ``validation_loss_curve_`` too
            when it has one.

        ax : matplotlib Axes, default=None
            Axes to plot on.  ``None`` creates a new figure and axes.

        log_gap : bool, default=False
            Plot ``objective - min(objective)`` on a logarithmic scale; see
            :meth:`plot`.

        **kwargs : dict
            Keyword arguments passed to :meth:`matplotlib.axes.Axes.plot` for
            every line.

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the plotted lines.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")  # draw off-screen
        >>> import matplotlib.pyplot as plt
        >>> from sklearn.datasets import load_breast_cancer
        >>> from sklearn.pipeline import make_pipeline
        >>> from sklearn.preprocessing import StandardScaler
        >>> from sklearn_bce import BCELogisticRegression
        >>> from sklearn_bce._plotting import LossCurveDisplay
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> model = make_pipeline(StandardScaler(), BCELogisticRegression())
        >>> display = LossCurveDisplay.from_estimator(model.fit(X, y))
        >>> display.ax_.get_xlabel(), len(display.lines_)
        ('iteration', 1)
        >>> plt.close(display.figure_)
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        if hasattr(estimator, "steps"):
            estimator = estimator[-1]
        check_is_fitted(estimator)
        if not hasattr(estimator, "loss_curve_"):
            raise ValueError(
                f"{type(estimator).__name__} has no loss_curve_ attribute to plot."
            )
        loss_curve = np.asarray(estimator.loss_curve_)
        display = cls(
            loss_curve=loss_curve,
            validation_loss_curve=getattr(estimator, "validation_loss_curve_", None),
            class_names=(
                getattr(estimator, "classes_", None) if loss_curve.ndim == 2 else None
            ),
            estimator_name=type(estimator).__name__,
        )
        return display.plot(ax=ax, log_gap=log_gap, **kwargs)
