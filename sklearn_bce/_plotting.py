"""Plots of the fitted objective, following scikit-learn's Display API."""

import warnings
from numbers import Real

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._array_api import to_numpy
from ._validation import external_stacklevel, plain_value

__all__ = ["LearningRateDisplay", "LossCurveDisplay"]


def _of_classes(names):
    """``" of class 'a'"`` or ``" of classes ['a', 'b']"`` for a message."""
    if len(names) == 1:
        return f" of class {names[0]!r}"
    return f" of classes {names}"


def _check_matplotlib(caller_name):
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller_name} requires matplotlib. You can install it with "
            '`pip install "sklearn-bce[plot]"` (or `pip install matplotlib`).'
        ) from exc


def _as_rows(curve, name):
    """A loss curve as a 2-D float array, one row per binary problem."""
    # (On the host: a model fitted on a GPU array keeps its curve there.)
    curve = np.asarray(to_numpy(curve), dtype=np.float64)
    if curve.ndim == 1:
        return curve[None, :]
    if curve.ndim == 2:
        return curve
    raise ValueError(
        f"{name} must be 1-D (one problem) or 2-D (one row per class), got an "
        f"array of shape {curve.shape}."
    )


#: The ``gid`` of the note on axes that a display left empty.
_EMPTY_NOTE = "sklearn_bce.empty_loss_curve"
#: The same for a LearningRateDisplay without any finite score.
_EMPTY_SCORES_NOTE = "sklearn_bce.empty_scores"
_NOT_CONVERGED = "not converged"
_NO_SCORE = "no score (diverged or failed)"
#: Legend entries of every group alike.
_SHARED_ENTRIES = (_NOT_CONVERGED, _NO_SCORE)
#: ``gid`` prefix of the lines of a learning-rate display's groups: a second
#: display on the same axes takes the colours after theirs.
_GROUP_GID = "sklearn_bce.learning_rate_group."


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
        Loss on held-out data after each iteration, with the same shape
        convention as ``loss_curve``: the ``validation_loss_curve_`` of an
        early-stopped fit, the log-loss *without* the penalty, so it is
        labelled "validation log-loss" beside the "training objective".
        ``None`` draws no validation curve.

    class_names : array-like of shape (n_classes,), default=None
        Names of the rows of a 2-D ``loss_curve``, used in the legend.
        ``None`` numbers them ``0, 1, ...``.  Ignored for a 1-D curve.

    name : str, default=None
        Name of the model, used in the legend (as ``RocCurveDisplay``'s
        ``name``).  ``None`` leaves it out.

    stop_reason : array-like of shape (n_classes,), default=None
        Why each curve ended (``stop_reason_``); the curves of problems that
        diverged are labelled "diverged", and a warning says when one has
        nothing to draw (a fit that diverged at its first step).

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
    >>> from sklearn_bce import LossCurveDisplay
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
        name=None,
        stop_reason=None,
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.class_names = class_names
        self.name = name
        self.stop_reason = stop_reason

    def plot(self, ax=None, *, name=None, log_gap=False, **kwargs):
        """Plot the loss curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on.  ``None`` creates a new figure and axes.

        name : str, default=None
            Name of the model in the legend; ``None`` uses the display's
            ``name``.

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
        return self._plot(ax, name, log_gap, kwargs)

    def _plot(self, ax, name, log_gap, kwargs):
        # Called by plot and from_estimator alike, so that its warning
        # (stacklevel 3) points at the user's line through either.
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
                # Python values, so that a message lists 0, not np.int64(0).
                else [plain_value(name) for name in self.class_names]
            )
            if len(names) != len(train):
                raise ValueError(
                    f"class_names has {len(names)} entries, but loss_curve has "
                    f"{len(train)} rows."
                )

        diverged = np.zeros(len(train), dtype=bool)
        if self.stop_reason is not None:
            reasons = np.asarray(self.stop_reason).ravel()
            if len(reasons) != len(train):
                raise ValueError(
                    f"stop_reason has {len(reasons)} entries, but loss_curve has "
                    f"{len(train)} rows."
                )
            diverged = reasons == "diverged"
        empty = [row for row, curve in enumerate(train) if not np.isfinite(curve).any()]
        if empty:
            which = "" if not multiclass else _of_classes([names[r] for r in empty])
            why = (
                ": the fit diverged at its first step"
                if diverged[empty].all() and self.stop_reason is not None
                else ""
            )
            warnings.warn(
                f"The loss curve{which} has no finite value to draw{why}.",
                UserWarning,
                stacklevel=3,
            )
        flat = [
            row
            for row, curve in enumerate(train)
            if row not in empty
            and log_gap
            and not np.isfinite(self._points(curve, log_gap)[1]).any()
        ]
        if flat:
            which = "" if not multiclass else _of_classes([names[r] for r in flat])
            warnings.warn(
                f"The loss curve{which} has no gap to its minimum to draw on a "
                "log scale (one iteration, or an objective that never changed); "
                "plot it with log_gap=False.",
                UserWarning,
                stacklevel=3,
            )

        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(layout="constrained")
        # Other models' curves already on the axes: no note on empty axes.
        had_lines = bool(ax.get_lines())
        name = self.name if name is None else name

        def label(row, kind):
            parts = [name] if name else []
            if multiclass:
                parts.append(f"class {names[row]}")
            if validation is not None:
                parts.append(kind)
            if diverged[row] and kind != "validation log-loss":
                parts.append("diverged")
            return ", ".join(str(part) for part in parts) or None

        def single_point(y):
            # A line through one point draws nothing: a marker shows it.
            return {"marker": "o"} if np.isfinite(y).sum() == 1 else {}

        lines = []
        for row, curve in enumerate(train):
            x, y = self._points(curve, log_gap)
            defaults = {"label": label(row, "training objective"), **single_point(y)}
            (line,) = ax.plot(x, y, **{**defaults, **kwargs})
            lines.append(line)
        if validation is not None:
            for row, curve in enumerate(validation):
                x, y = self._points(curve, log_gap)
                defaults = {
                    "label": label(row, "validation log-loss"),
                    "color": lines[row].get_color(),
                    "linestyle": "--",
                    **single_point(y),
                }
                (line,) = ax.plot(x, y, **{**defaults, **kwargs})
                lines.append(line)

        ax.set_xlabel("iteration")
        if log_gap:
            ax.set_yscale("log")
            ax.set_ylabel(
                "objective - min(objective)"
                if validation is None
                else "gap to the minimum of each curve"
            )
        else:
            ax.set_ylabel("objective" if validation is None else "objective, log-loss")
        if any(
            line.get_label() and not line.get_label().startswith("_") for line in lines
        ):
            ax.legend()
        if len(empty) + len(flat) < len(train):
            # Curves drawn: the axes are no longer empty.
            for text in list(ax.texts):
                if text.get_gid() == _EMPTY_NOTE:
                    text.remove()
        elif not had_lines and empty:
            # Nothing drawn: say why on the axes, not only in the warning.
            ax.text(
                0.5,
                0.5,
                "diverged at the first step: no finite objective"
                if self.stop_reason is not None and diverged.all()
                else "no finite objective to draw",
                transform=ax.transAxes,
                ha="center",
                va="center",
                gid=_EMPTY_NOTE,
            )
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
    def from_estimator(cls, estimator, *, ax=None, name=None, log_gap=False, **kwargs):
        """Plot the loss curves of a fitted estimator.

        Parameters
        ----------
        estimator : estimator instance
            A fitted :class:`~sklearn_bce.BCELogisticRegression` (or a
            refitted :class:`~sklearn_bce.BCELogisticRegressionCV`), a search
            refitted on one (such as
            :class:`~sklearn.model_selection.GridSearchCV`: its
            ``best_estimator_`` is plotted), or a fitted
            :class:`~sklearn.pipeline.Pipeline` whose last step is any of
            these.  Its ``loss_curve_`` is plotted, and its
            ``validation_loss_curve_`` too when it has one.

        ax : matplotlib Axes, default=None
            Axes to plot on.  ``None`` creates a new figure and axes.

        name : str, default=None
            Name of the model in the legend (to tell several models apart on
            one axes); ``None`` uses the class name of the plotted model.

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
        >>> from sklearn_bce import LossCurveDisplay
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> model = make_pipeline(StandardScaler(), BCELogisticRegression())
        >>> display = LossCurveDisplay.from_estimator(model.fit(X, y))
        >>> display.ax_.get_xlabel(), len(display.lines_)
        ('iteration', 1)
        >>> plt.close(display.figure_)
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        while not hasattr(estimator, "loss_curve_"):
            if hasattr(estimator, "best_estimator_"):
                # A search refitted on the best candidate (GridSearchCV, ...).
                estimator = estimator.best_estimator_
            elif hasattr(estimator, "steps"):
                estimator = estimator[-1]
            else:
                break
        check_is_fitted(estimator)
        if not hasattr(estimator, "loss_curve_"):
            unrefitted = (
                f" ({type(estimator).__name__} with refit=False keeps no model "
                "with a loss curve: fit it with refit=True, or with the name of "
                "the metric that chooses)"
                if getattr(estimator, "refit", True) is False
                else ""
            )
            raise ValueError(
                f"{type(estimator).__name__} has no loss_curve_ attribute to "
                "plot: pass a fitted BCELogisticRegression, a Pipeline ending in "
                f"one, or a search refitted on one{unrefitted}."
            )
        # On the host: a model fitted on an array API array (on a GPU, say)
        # keeps its curves and classes in the array's namespace and device.
        loss_curve = np.asarray(to_numpy(estimator.loss_curve_))
        display = cls(
            loss_curve=loss_curve,
            validation_loss_curve=getattr(estimator, "validation_loss_curve_", None),
            class_names=(
                to_numpy(getattr(estimator, "classes_", None))
                if loss_curve.ndim == 2
                else None
            ),
            name=type(estimator).__name__ if name is None else name,
            stop_reason=getattr(estimator, "stop_reason_", None),
        )
        return display._plot(ax, None, log_gap, kwargs)


def _find_param(cv_results, suffix):
    """The ``param_*`` key of a parameter, with or without a pipeline prefix."""
    keys = [
        key
        for key in cv_results
        if key.startswith("param_")
        and (key == f"param_{suffix}" or key.endswith(f"__{suffix}"))
    ]
    if len(keys) > 1:
        raise ValueError(f"cv_results has several {suffix} parameters: {keys}.")
    return keys[0] if keys else None


_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
_DASHES = ("--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)))
#: Dash patterns of the fixed steps' loss curves, per ten groups: never
#: dotted, which marks ``"auto"``.
_CURVE_DASHES = ("-", "--", "-.", (0, (5, 1, 1, 1, 1, 1)))
#: Legend entries past which a legend goes beside its axes, in columns of at
#: most :data:`_LEGEND_ROWS` entries (a taller one would squeeze the axes).
_LEGEND_INSIDE = 8
_LEGEND_ROWS = 14


def _line_style(index):
    """Colour, marker and dash pattern of line ``index``: distinct for 40 lines."""
    cycle = index // 10
    return {
        "color": f"C{index % 10}",
        "marker": _MARKERS[cycle % len(_MARKERS)],
        "dashes": _DASHES[cycle % len(_DASHES)],
    }


def _group_name(C, params, *, with_C):
    """Legend name of a line: its ``C`` and other parameters, ``""`` if none."""
    parts = []
    if with_C:
        parts.append("default C" if C is None else f"C={_format_value(C)}")
    parts += [f"{key}={_format_value(value)}" for key, value in params.items()]
    return ", ".join(parts)


def _format_value(value):
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    return str(value)


def _mean_of_stopped_curves(curves):
    """Mean over rows of curves that end in NaN padding, each held at its end."""
    rows = np.array(np.atleast_2d(curves), dtype=float)
    for row in rows:
        finite = np.flatnonzero(np.isfinite(row))
        if finite.size:
            row[finite[-1] + 1 :] = row[finite[-1]]
    return np.nanmean(rows, axis=0) if rows.size else rows.ravel()


class LearningRateDisplay:
    """Validation score against learning rate, and the candidates' loss curves.

    It is recommended to use :meth:`~LearningRateDisplay.from_cv_results` to
    create a ``LearningRateDisplay``.  All parameters are stored as attributes.

    Parameters
    ----------
    learning_rates : array-like of shape (n_candidates,)
        Learning rate of each candidate: a float or ``"auto"``.

    mean_scores, std_scores : array-like of shape (n_candidates,)
        Mean and standard deviation of the validation score across folds
        (NaN for diverged candidates: a fixed step without a score is
        marked by a cross near the bottom of the axes, where the safe
        steps end; when none is finite, :meth:`plot` warns and says so on
        the axes).

    Cs : array-like of shape (n_candidates,), default=None
        ``C`` of each candidate; one line is drawn per value (an entry
        ``None`` is the estimator's default ``C``).  ``None`` draws a single
        line, unless ``params`` splits it.

    params : sequence of dict, default=None
        Per candidate, the other parameters the search varied (a solver, a
        preprocessing step's option): one line is drawn per combination of
        ``C`` and these, labelled with them, so candidates that differ in
        anything but the learning rate are never joined.  Lines take the
        colours of the property cycle, then, past its ten colours, other
        markers (and dash patterns for ``"auto"``).

    loss_curves : sequence of ndarray, default=None
        Per candidate, the training objective after each iteration, one row
        per fold: ``cv_results_["loss_curve"]`` of
        :class:`~sklearn_bce.BCELogisticRegressionCV` (with several classes,
        the objective averaged over the one-vs-rest classes; an entry
        ``None`` draws no curve for its candidate).  When given,
        :meth:`plot` draws their mean over the rows in a second panel, each
        row held at its final value once it stopped: in the colour of the
        candidate's line of scores, lighter for smaller learning rates, dotted
        for ``"auto"`` (and, past ten lines of scores, dashed for the fixed
        steps of each further ten).

    score_name : str, default=None
        Label of the score axis.

    converged : array-like of shape (n_candidates,), default=None
        Whether each candidate's fits all converged
        (``cv_results_["converged"]`` of
        :class:`~sklearn_bce.BCELogisticRegressionCV`): booleans, 0 and 1, or
        their text (``"True"``, ``"false"``) as read back from a CSV file;
        anything else is a ``ValueError``.  Scores of candidates
        that did not are drawn with hollow markers, and their loss curves are
        labelled "not converged".  ``None`` marks none.

    name : str, default=None
        Name of the search, put before every legend label (``"gd, C=1"``,
        ``"gd, C=1 auto"``), to tell apart the lines of several displays on
        the same axes.  ``None`` leaves it out.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the validation scores (learning rate on a log axis).
    curves_ax_ : matplotlib Axes or None
        Axes with the loss curves, when the display has any and draws them
        (``None`` otherwise).
    figure_ : matplotlib Figure
        Figure containing the axes.
    lines_ : list of matplotlib Line2D
        Per ``C`` (and combination of ``params``), in order of first
        appearance: the line of mean scores against the float learning rates
        (when any has a finite score; the spread across folds, one standard
        deviation, is shaded), then a dashed horizontal line at the mean score
        of each ``"auto"`` candidate with a finite score (its spread is not
        drawn).  Lines alternate per group, e.g. labelled ``["C=0.1",
        "C=0.1 auto", "C=1", "C=1 auto"]`` (so with a single ``C`` too, as
        from :class:`~sklearn_bce.BCELogisticRegressionCV`, whose results
        always hold ``C``); without ``Cs`` and ``params`` they are labelled
        ``["fixed steps", "auto"]``.
    curve_lines_ : list of matplotlib Line2D
        One loss curve per drawn candidate (with a finite score).

    See Also
    --------
    sklearn_bce.BCELogisticRegressionCV : The search whose ``cv_results_``
        this draws.
    sklearn.model_selection.ValidationCurveDisplay : Scores against any one
        parameter, one fit per value and fold.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")  # draw off-screen
    >>> from sklearn_bce import LearningRateDisplay
    >>> display = LearningRateDisplay(
    ...     learning_rates=["auto", 0.1, 1.0, "auto", 0.1, 1.0],
    ...     mean_scores=[-0.08, -0.12, -0.08, -0.09, -0.14, -0.09],
    ...     std_scores=[0.02, 0.03, 0.02, 0.02, 0.03, 0.02],
    ...     Cs=[1.0, 1.0, 1.0, 0.1, 0.1, 0.1],
    ... ).plot()
    >>> [line.get_label() for line in display.lines_]
    ['C=1', 'C=1 auto', 'C=0.1', 'C=0.1 auto']
    """

    def __init__(
        self,
        *,
        learning_rates,
        mean_scores,
        std_scores,
        Cs=None,
        params=None,
        loss_curves=None,
        score_name=None,
        converged=None,
        name=None,
    ):
        self.learning_rates = learning_rates
        self.mean_scores = mean_scores
        self.std_scores = std_scores
        self.Cs = Cs
        self.params = params
        self.loss_curves = loss_curves
        self.score_name = score_name
        self.converged = converged
        self.name = name

    def plot(self, ax=None, *, curves_ax=None, name=None, **kwargs):
        """Plot the scores (and the loss curves when the display has them).

        On axes that hold another learning-rate display's lines, the groups
        take the colours after its, and the legend names the groups of both.
        A group whose every candidate has no score (only crosses) has a
        legend entry of its own, ``"<group>: no score"``.
        A legend of more than eight entries lists one entry per group of
        candidates (per ``C`` and ``params``) and a key to the line styles.
        On a figure the display makes, such legends go beside their axes, in
        columns, and the figure is widened for them; on axes you give they
        are drawn at the axes' best place, where many groups may need a
        larger figure (or ``ax.get_legend().remove()``).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes for the scores.  ``None`` creates a figure, with a second
            axes for the loss curves when there are any.

        curves_ax : matplotlib Axes, default=None
            Axes for the loss curves when ``ax`` is given; ``None`` then skips
            them.

        name : str, default=None
            Name put before the legend labels; ``None`` uses the display's
            ``name``.

        **kwargs : dict
            Keyword arguments passed to :meth:`matplotlib.axes.Axes.plot` for
            the lines of scores against the float learning rates; they
            override the defaults (``marker``, ``color``, ``label``).  The
            dashed lines of ``"auto"`` candidates take the colour and width
            of their group's line, and the loss curves its colour (so
            ``color="k"`` draws every group's curves in shades of grey).

        Returns
        -------
        display : LearningRateDisplay
            Object that stores the plotted lines.
        """
        return self._plot(ax, curves_ax, name, kwargs)

    def _plot(self, ax, curves_ax, name, kwargs):
        # Called by plot, from_cv_results and from_estimator alike; its
        # warnings name the user's line through any of them.
        _check_matplotlib(f"{type(self).__name__}.plot")
        # Text that holds a number (an array of "auto" and floats is text).
        rates = [
            _number_or_auto(str(r)) if isinstance(r, str) else r
            for r in self.learning_rates
        ]
        wrong = [r for r in rates if not _valid_rate(r)]
        if wrong:
            raise ValueError(
                "learning_rates must be positive finite numbers or 'auto'; got "
                f"{wrong[0]!r} (the learning-rate axis is logarithmic)."
            )
        mean = np.asarray(self.mean_scores, dtype=float)
        std = np.asarray(self.std_scores, dtype=float)
        Cs = [None] * len(rates) if self.Cs is None else list(self.Cs)
        params = [{}] * len(rates) if self.params is None else list(self.params)
        if not len(rates) == len(mean) == len(std) == len(Cs) == len(params):
            raise ValueError(
                "learning_rates, mean_scores, std_scores, Cs and params must "
                "have one entry per candidate."
            )
        if self.loss_curves is not None and len(self.loss_curves) != len(rates):
            raise ValueError(
                f"loss_curves has {len(self.loss_curves)} entries, but there are "
                f"{len(rates)} candidates: it must have one per candidate."
            )
        converged = np.ones(len(rates), dtype=bool)
        if self.converged is not None:
            converged = _as_flags(self.converged, "converged")
            if len(converged) != len(rates):
                raise ValueError(
                    f"converged has {len(converged)} entries, but there are "
                    f"{len(rates)} candidates: it must have one per candidate."
                )
        # The line of each candidate, named by its C and other parameters
        # (after the display's name).
        display_name = self.name if name is None else name
        names = [
            ", ".join(
                part
                for part in (
                    display_name,
                    _group_name(C, candidate, with_C=self.Cs is not None),
                )
                if part
            )
            for C, candidate in zip(Cs, params, strict=True)
        ]
        if "c" in kwargs and "color" not in kwargs:  # matplotlib's alias
            kwargs = dict(kwargs)
            kwargs["color"] = kwargs.pop("c")
        nothing_to_draw = not np.isfinite(mean).any()
        if nothing_to_draw:
            warnings.warn(
                "No candidate has a finite mean score to draw: the fits of "
                "every candidate diverged or failed.",
                UserWarning,
                stacklevel=external_stacklevel(),
            )
        own_figure = ax is None
        if ax is None and curves_ax is not None:
            raise ValueError(
                "curves_ax is used with ax, the axes of the scores: pass both, "
                "or neither for a new figure with both panels."
            )
        if ax is None:
            import matplotlib.pyplot as plt

            panels = 2 if self.loss_curves is not None else 1
            _, axes = plt.subplots(
                1,
                panels,
                figsize=(5.5 * panels, 4),
                squeeze=False,
                layout="constrained",
            )
            ax = axes[0, 0]
            curves_ax = axes[0, 1] if panels == 2 else None
        # Other lines already on the axes: no note on empty axes.
        had_lines = bool(ax.get_lines())
        if rates and all(rate == "auto" for rate in rates) and not had_lines:
            warnings.warn(
                "Every candidate has learning_rate='auto': there is no fixed "
                "step to place on the learning-rate axis, and each 'auto' "
                "score is drawn as a horizontal line. To see the scores "
                "against C, plot them against C on a log axis (of a search: "
                "cv_results_['mean_test_score'] against "
                "cv_results_['param_C']); to compare with fixed steps, "
                "search some too.",
                UserWarning,
                stacklevel=external_stacklevel(),
            )
        # Groups of displays already on these axes: the colours go on after
        # theirs, and their legend entries are kept.
        drawn_groups = {
            line.get_gid()
            for line in ax.get_lines()
            if str(line.get_gid()).startswith(_GROUP_GID)
        }
        previous = ax.get_legend()
        kept_handles = []
        if previous is not None and drawn_groups:
            from matplotlib.lines import Line2D

            for handle, text in zip(
                previous.legend_handles, previous.get_texts(), strict=True
            ):
                proxy = Line2D([], [])
                proxy.update_from(handle)
                proxy.set_label(text.get_text())
                kept_handles.append(proxy)
        lines = []
        kinds = []  # per line of lines: its group and whether it is "auto"
        group_colours = {}
        unfinished_marked = False
        lost_groups = 0  # groups with crosses so far
        # One colour of the property cycle per line, shared by its "auto"
        # lines; past ten lines, other markers and dash patterns.
        lost_only = []  # (name, colour) of groups with crosses and no line
        for g, name in enumerate(dict.fromkeys(names), start=len(drawn_groups)):
            style = _line_style(g)
            gid = f"{_GROUP_GID}{g}"
            rows = [i for i, other in enumerate(names) if other == name]
            fixed = sorted(
                (float(rates[i]), mean[i], std[i], converged[i])
                for i in rows
                if not isinstance(rates[i], str) and np.isfinite(mean[i])
            )
            # The "auto" lines take the colour and width of their group's
            # line, as the keywords set them (or would have set them).
            auto_style = {"color": kwargs.get("color", style["color"])}
            width = kwargs.get("linewidth", kwargs.get("lw"))
            if width is not None:
                auto_style["linewidth"] = width
            if fixed:
                x, m, s, done = (np.array(v) for v in zip(*fixed, strict=True))
                has_auto = any(
                    isinstance(rates[i], str) and np.isfinite(mean[i]) for i in rows
                )
                defaults = {
                    "marker": style["marker"],
                    "color": style["color"],
                    # Beside an "auto" line, the fixed steps' line is named too.
                    "label": name or ("fixed steps" if has_auto else None),
                }
                (line,) = ax.plot(x, m, gid=gid, **{**defaults, **kwargs})
                ax.fill_between(x, m - s, m + s, alpha=0.2, color=line.get_color())
                lines.append(line)
                kinds.append((name, False))
                if not done.all():
                    # Hollow markers: fits stopped by max_iter, whose scores
                    # depend on where they stopped.
                    marker = line.get_marker()
                    ax.plot(
                        x[~done],
                        m[~done],
                        linestyle="none",
                        marker=marker if marker not in ("", " ", "none") else "o",
                        markersize=line.get_markersize(),
                        markeredgecolor=line.get_color(),
                        markerfacecolor="white",
                        label="_not converged",
                    )
                    unfinished_marked = True
                auto_style = {
                    "color": line.get_color(),
                    "linewidth": line.get_linewidth(),
                }
            group_colours[name] = auto_style["color"]
            lost = sorted(
                float(rates[i])
                for i in rows
                if not isinstance(rates[i], str) and not np.isfinite(mean[i])
            )
            if lost:
                # Crosses near the bottom of the axes where fixed steps have
                # no score (diverged, or failed): where the safe steps end.
                # Each group's crosses a little higher than the last one's.
                height = 0.03 + 0.035 * (lost_groups % 6)
                lost_groups += 1
                ax.plot(
                    lost,
                    np.full(len(lost), height),
                    transform=ax.get_xaxis_transform(),
                    linestyle="none",
                    marker="x",
                    color=auto_style["color"],
                    clip_on=False,
                    label="_no score",
                    gid=gid,
                )
            levels = [
                mean[i]
                for i in rows
                if isinstance(rates[i], str) and np.isfinite(mean[i])
            ]
            for level in levels:
                line = ax.axhline(
                    level,
                    linestyle=style["dashes"],
                    label=f"{name} auto".strip(),
                    gid=gid,
                    **auto_style,
                )
                lines.append(line)
                kinds.append((name, True))
            if levels:
                # axhline leaves the view where it was when the level is in
                # it: fit the view to the levels too (an "auto"-only search
                # of accuracies stayed at 0-1).
                ax.update_datalim([(1.0, level) for level in levels], updatex=False)
                ax.autoscale_view(scalex=False)
            if lost and not fixed and not levels and name:
                lost_only.append((name, auto_style["color"]))
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel(self.score_name or "validation score")
        if nothing_to_draw and not had_lines:
            # Say why on the axes, not only in the warning.
            ax.text(
                0.5,
                0.5,
                "no candidate with a finite score:\nevery candidate diverged or failed",
                transform=ax.transAxes,
                ha="center",
                va="center",
                gid=_EMPTY_SCORES_NOTE,
            )
        from matplotlib.lines import Line2D

        handles = [line for line in lines if not line.get_label().startswith("_")]
        lost_marked = lost_groups > 0
        if len(handles) + unfinished_marked + lost_marked > _LEGEND_INSIDE:
            # One entry per group (as its first line: the fixed steps', or an
            # "auto" level line), then a key to the level lines' dashes.
            first = {}
            for line, (name, _) in zip(lines, kinds, strict=True):
                first.setdefault(name, line)
            handles = [
                Line2D(
                    [],
                    [],
                    color=line.get_color(),
                    marker=line.get_marker(),
                    linestyle=line.get_linestyle(),
                    label=name or "fixed steps",
                )
                for name, line in first.items()
            ]
            # Past ten groups the level lines change dashes: each pattern's
            # entry names its groups (the first to the last).
            patterns = {}
            for line, (name, auto) in zip(lines, kinds, strict=True):
                if auto:
                    groups = patterns.setdefault(str(line.get_linestyle()), [])
                    if name not in groups:
                        groups.append(name)
            for dashes, groups in patterns.items():
                span = " to ".join(dict.fromkeys([groups[0], groups[-1]]))
                handles.append(
                    Line2D(
                        [],
                        [],
                        color="0.2",
                        linestyle=dashes,
                        label=(
                            f'"auto" ({span})'
                            if len(patterns) > 1 and span
                            else '"auto" (level lines)'
                        ),
                    )
                )
        if unfinished_marked:
            # One neutral entry for the hollow markers of every group.
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markeredgecolor="grey",
                    markerfacecolor="white",
                    label=_NOT_CONVERGED,
                )
            )
        # A group whose every candidate has no score has no line to name it:
        # its crosses are named by their colour.
        handles += [
            Line2D(
                [],
                [],
                linestyle="none",
                marker="x",
                color=colour,
                label=f"{name}: no score",
            )
            for name, colour in lost_only
        ]
        if lost_marked:
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="x",
                    color="grey",
                    label=_NO_SCORE,
                )
            )
        if kept_handles:
            # The groups of every display on the axes, then the shared
            # entries once.
            every = [*kept_handles, *handles]
            shared = {
                h.get_label(): h for h in every if h.get_label() in _SHARED_ENTRIES
            }
            handles = [
                *(h for h in every if h.get_label() not in _SHARED_ENTRIES),
                *shared.values(),
            ]
        beside_width = 0.0  # inches of legends beside the axes
        if handles:
            beside_width += _legend(ax, handles, beside=own_figure)
        curve_lines = []
        if curves_ax is not None and self.loss_curves is not None:
            groups = list(dict.fromkeys(names))
            # Each group's fixed steps with a finite score, which its curves
            # are shaded by.
            steps = {}
            for rate, name, score in zip(rates, names, mean, strict=True):
                if not isinstance(rate, str) and np.isfinite(score):
                    steps.setdefault(name, set()).add(float(rate))
            keyed = {}
            for i, curves in enumerate(self.loss_curves):
                if curves is None or not np.isfinite(mean[i]):
                    continue
                curve = _mean_of_stopped_curves(curves)
                unfinished = "" if converged[i] else "not converged"
                parts = (f"lr={_format_value(rates[i])}", names[i], unfinished)
                g = groups.index(names[i])
                full = group_colours.get(names[i], _line_style(g)["color"])
                dashes = _CURVE_DASHES[(g // 10) % len(_CURVE_DASHES)]
                keyed.setdefault(names[i], (full, dashes))
                colour, linestyle = _curve_style(
                    full, dashes, rates[i], steps.get(names[i], ())
                )
                (line,) = curves_ax.plot(
                    np.arange(1, len(curve) + 1),
                    curve,
                    color=colour,
                    linestyle=linestyle,
                    label=", ".join(part for part in parts if part),
                )
                curve_lines.append(line)
            curves_ax.set_xscale("log")
            curves_ax.set_xlabel("iteration")
            curves_ax.set_ylabel("training objective (mean over folds)")
            if len(curve_lines) > _LEGEND_INSIDE:
                # One entry per group and a key to the shades and dots, not
                # one per curve.
                shaded = any(len(group) > 1 for group in steps.values())
                key = _curve_key(keyed, curve_lines, shaded)
                beside_width += _legend(curves_ax, key, beside=own_figure)
            elif curve_lines:
                curves_ax.legend(fontsize="small")
        if beside_width:
            # Room for the legends beside the axes, which would squeeze them.
            width, height = ax.figure.get_size_inches()
            ax.figure.set_size_inches(width + beside_width + 0.2, height)
        self.ax_ = ax
        self.curves_ax_ = curves_ax if self.loss_curves is not None else None
        self.figure_ = ax.figure
        self.lines_ = lines
        self.curve_lines_ = curve_lines
        return self

    @classmethod
    def from_cv_results(
        cls,
        cv_results,
        *,
        ax=None,
        curves_ax=None,
        metric=None,
        score_name=None,
        name=None,
        **kwargs,
    ):
        """Plot a learning-rate search from its ``cv_results_``.

        Parameters
        ----------
        cv_results : dict or pandas.DataFrame
            ``cv_results_`` of :class:`~sklearn_bce.BCELogisticRegressionCV`,
            or of a ``GridSearchCV``/``RandomizedSearchCV`` over
            ``learning_rate`` of a :class:`~sklearn_bce.BCELogisticRegression`,
            alone or as a pipeline step (or a ``pandas.DataFrame`` of it).
            Its ``C`` is the ``C`` of the same step; one line is drawn per
            value of ``C`` and of every other parameter the search varied
            (any step's), labelled with them.  Candidates of a list of grids
            that leave ``learning_rate`` out are not drawn; those that leave
            ``C`` out are drawn as "default C", and those that leave another
            parameter out as ``<name>=default`` (a value ``None`` given in a
            grid is labelled ``<name>=None``).  Read back from a CSV file,
            its numbers and flags written as text are read as such; its
            ``loss_curve`` text is not drawn (with a warning).  The results
            of a ``GridSearchCV`` do not say which fits diverged: such a fit
            keeps the coefficients of the lowest objective it reached (the
            starting ones, often), which the search scores like any other,
            so its step is drawn as a point, not as a cross;
            :class:`~sklearn_bce.BCELogisticRegressionCV` scores diverged
            candidates NaN.

        ax, curves_ax : matplotlib Axes, default=None
            See :meth:`plot`.

        metric : str, default=None
            Which score of a multi-metric search to plot (the name given in
            its ``scoring``: ``mean_test_<metric>``).  ``None`` is the single
            score, ``mean_test_score``.

        score_name : str, default=None
            Label of the score axis; ``None`` is ``metric``, if given.

        name : str, default=None
            Name of the search, put before every legend label (to tell
            several searches apart on the same axes); ``None`` leaves it out.

        **kwargs : dict
            Keyword arguments of the lines of scores, as :meth:`plot` takes
            them.

        Returns
        -------
        display : LearningRateDisplay
            Object that stores the plotted lines.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_breast_cancer
        >>> from sklearn.preprocessing import StandardScaler
        >>> from sklearn_bce import BCELogisticRegressionCV, LearningRateDisplay
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> X = StandardScaler().fit_transform(X)
        >>> search = BCELogisticRegressionCV(
        ...     learning_rates=["auto", 0.1, 1.0], Cs=[0.1, 1.0], cv=3
        ... ).fit(X, y)
        >>> display = LearningRateDisplay.from_cv_results(search.cv_results_)
        >>> len(display.curve_lines_)
        6
        """
        _check_matplotlib(f"{cls.__name__}.from_cv_results")
        rate_key = _find_param(cv_results, "learning_rate")
        if rate_key is None:
            raise ValueError("cv_results has no learning_rate parameter.")
        # The C of the same step: "param_C", or "param_<step>__C".
        prefix = rate_key[: -len("learning_rate")]
        C_key = f"{prefix}C" if f"{prefix}C" in cv_results else None
        score = "score" if metric is None else metric
        if f"std_test_{score}" not in cv_results and f"mean_test_{score}" in cv_results:
            raise ValueError(
                f"cv_results has mean_test_{score} but no std_test_{score}: "
                "give it as a search stores it, with both."
            )
        if f"mean_test_{score}" not in cv_results:
            metrics = sorted(
                key[len("mean_test_") :]
                for key in cv_results
                if key.startswith("mean_test_")
            )
            raise ValueError(
                f"cv_results has no mean_test_{score}; its scores are {metrics}. "
                "Choose one with metric=<name>."
            )
        # A list of grids masks the parameters a candidate's grid leaves out.
        # Numbers written as text (cv_results_ read back from a CSV file,
        # where a column of "auto" and numbers is text) are numbers.
        rates = [_number_or_auto(rate) for rate in _unmasked(cv_results[rate_key])]
        keep = [i for i, rate in enumerate(rates) if rate is not None]
        # A step the estimator refuses (0, say) failed to fit: the search
        # scored it error_score.  It has no place on a log axis of steps.
        invalid = [i for i in keep if not _valid_rate(rates[i])]
        if invalid:
            shown = ", ".join(sorted({repr(plain_value(rates[i])) for i in invalid}))
            warnings.warn(
                "cv_results has candidates of learning rates that are not "
                f"positive finite numbers or 'auto' ({shown}): they are not drawn.",
                UserWarning,
                stacklevel=external_stacklevel(),
            )
            keep = [i for i in keep if i not in invalid]
        others = {}
        for key in cv_results:
            if not key.startswith("param_") or key in (rate_key, C_key):
                continue
            values = _unmasked(cv_results[key], missing=_LEFT_OUT)
            if len({repr(values[i]) for i in keep}) > 1:
                # Named without the learning rate's step, other steps in full.
                label = key[len(prefix) :] if key.startswith(prefix) else key[6:]
                others[label] = values
        curves = cv_results.get("loss_curve")
        curves = None if curves is None else list(curves)
        if curves is not None and any(isinstance(c, str) for c in curves):
            warnings.warn(
                "cv_results['loss_curve'] holds text (as read back from a CSV "
                "file), not arrays: the loss curves are not drawn.  Save "
                "cv_results_ with pickle or joblib to keep them.",
                UserWarning,
                stacklevel=external_stacklevel(),
            )
            curves = None
        display = cls(
            learning_rates=[rates[i] for i in keep],
            mean_scores=np.asarray(cv_results[f"mean_test_{score}"])[keep],
            std_scores=np.asarray(cv_results[f"std_test_{score}"])[keep],
            Cs=None
            if C_key is None
            else [_unmasked(cv_results[C_key])[i] for i in keep],
            params=None
            if not others
            else [
                {
                    label: "default" if values[i] is _LEFT_OUT else values[i]
                    for label, values in others.items()
                }
                for i in keep
            ],
            loss_curves=None if curves is None else [curves[i] for i in keep],
            score_name=(
                # "score" is the single score, as metric=None names it.
                (None if metric == "score" else metric)
                if score_name is None
                else score_name
            ),
            converged=(
                None
                if "converged" not in cv_results
                else _as_flags(
                    np.asarray(cv_results["converged"], dtype=object)[keep],
                    "cv_results['converged']",
                )
            ),
            name=name,
        )
        return display._plot(ax, curves_ax, None, kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        ax=None,
        curves_ax=None,
        metric=None,
        score_name=None,
        name=None,
        **kwargs,
    ):
        """Plot the learning-rate search of a fitted search estimator.

        The same as :meth:`from_cv_results` with ``estimator.cv_results_``.

        Parameters
        ----------
        estimator : estimator instance
            A fitted :class:`~sklearn_bce.BCELogisticRegressionCV`, or a
            fitted ``GridSearchCV``/``RandomizedSearchCV`` over
            ``learning_rate`` of a :class:`~sklearn_bce.BCELogisticRegression`
            (alone or as a pipeline step).

        ax, curves_ax : matplotlib Axes, default=None
            See :meth:`plot`.

        metric : str, default=None
            Which score of a multi-metric search to plot; ``None`` is the
            metric that chose the best candidate (the search's ``refit``,
            when it names one), else the single score.

        score_name : str, default=None
            Label of the score axis; ``None`` is the plotted metric's name:
            the metric of a multi-metric search, or the search's ``scoring``
            when it is a scorer's name (``"validation score"`` for a callable
            or ``None``).

        name : str, default=None
            Name of the search, put before every legend label; ``None`` leaves
            it out.

        **kwargs : dict
            Keyword arguments of the lines of scores, as :meth:`plot` takes
            them.

        Returns
        -------
        display : LearningRateDisplay
            Object that stores the plotted lines.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_breast_cancer
        >>> from sklearn.preprocessing import StandardScaler
        >>> from sklearn_bce import BCELogisticRegressionCV, LearningRateDisplay
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> X = StandardScaler().fit_transform(X)
        >>> search = BCELogisticRegressionCV(
        ...     learning_rates=["auto", 0.1, 1.0], cv=3
        ... ).fit(X, y)
        >>> display = LearningRateDisplay.from_estimator(search)
        >>> [line.get_label() for line in display.lines_]
        ['C=1', 'C=1 auto']
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator)
        if not hasattr(estimator, "cv_results_"):
            raise ValueError(
                f"{type(estimator).__name__} has no cv_results_ to plot: pass a "
                "fitted BCELogisticRegressionCV, or a GridSearchCV or "
                "RandomizedSearchCV over the learning_rate of a "
                "BCELogisticRegression."
            )
        refit = getattr(estimator, "refit", None)
        if (
            metric is None
            and isinstance(refit, str)
            and f"mean_test_{refit}" in estimator.cv_results_
        ):
            metric = refit
        scoring = getattr(estimator, "scoring", None)
        if score_name is None and metric is None and isinstance(scoring, str):
            score_name = scoring
        return cls.from_cv_results(
            estimator.cv_results_,
            ax=ax,
            curves_ax=curves_ax,
            metric=metric,
            score_name=score_name,
            name=name,
            **kwargs,
        )


def _legend(ax, handles, *, beside):
    """A legend inside ``ax``; a long one beside it, in columns, when
    ``beside`` (a figure the display made, which it widens for them).

    Returns the width in inches of a legend placed beside the axes, else 0.
    """
    if len(handles) <= _LEGEND_INSIDE or not beside:
        ax.legend(handles=handles, fontsize="small")
        return 0.0
    legend = ax.legend(
        handles=handles,
        fontsize="small",
        loc="upper left",
        bbox_to_anchor=(1.02, 1),
        ncols=-(-len(handles) // _LEGEND_ROWS),
    )
    renderer = ax.figure.canvas.get_renderer()
    return legend.get_window_extent(renderer).width / ax.figure.dpi


def _curve_key(groups, curve_lines, shaded):
    """Legend handles of many loss curves: ``groups`` maps each group's name
    to its full colour and dash pattern; then a key to the shades (when a
    group has several fixed steps, ``shaded``) and to the dotted "auto"
    curves among ``curve_lines``."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=colour, linestyle=dashes, label=name or "fixed steps")
        for name, (colour, dashes) in groups.items()
    ]
    if shaded:
        handles.append(Line2D([], [], color="0.6", label="lighter: smaller step"))
    if any(line.get_linestyle() == ":" for line in curve_lines):
        handles.append(
            Line2D([], [], color="0.2", linestyle=":", label='dotted: "auto"')
        )
    return handles


def _as_flags(values, what):
    """Booleans from bools, 0/1 or their text ("True", "false"), as read back
    from a CSV file; anything else (NaN, other text) is an error."""
    text = {"true": True, "1": True, "false": False, "0": False}
    flags = []
    for value in np.asarray(values, dtype=object).ravel():
        if isinstance(value, (bool, np.bool_)) or (
            isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1)
        ):
            flags.append(bool(value))
        elif isinstance(value, str) and value.strip().lower() in text:
            flags.append(text[value.strip().lower()])
        else:
            raise ValueError(f"{what} must hold booleans; got {value!r}.")
    return np.array(flags, dtype=bool)


def _curve_style(colour, linestyle, rate, group_steps):
    """Colour and line style of a candidate's loss curve.

    The colour of its group's line of scores, blended towards white for
    smaller of the group's fixed steps ``group_steps`` (the largest in full
    colour), and dotted for ``"auto"`` (in full colour).
    """
    from matplotlib.colors import to_rgb

    if isinstance(rate, str):
        return colour, ":"
    steps = sorted(group_steps)
    rank = steps.index(float(rate))
    # From 0.35 of the colour (smallest step) to all of it (largest).
    share = 1.0 if len(steps) == 1 else 0.35 + 0.65 * rank / (len(steps) - 1)
    rgb = np.asarray(to_rgb(colour))
    return tuple(share * rgb + (1 - share) * np.ones(3)), linestyle


def _valid_rate(rate):
    """A positive finite number or ``"auto"``, as the display draws them."""
    if isinstance(rate, str):
        return rate == "auto"
    if isinstance(rate, (bool, np.bool_)):  # refused by the estimator too
        return False
    return isinstance(rate, Real) and bool(np.isfinite(rate)) and rate > 0


def _number_or_auto(rate):
    """A learning rate read as text (other than "auto") as a float.

    An empty text is a masked entry (None); text that is not a positive
    finite number stays text, which ``plot`` refuses.
    """
    if isinstance(rate, str) and rate != "auto":
        if not rate.strip():
            return None
        try:
            value = float(rate)
        except ValueError:
            return rate
        return value if np.isfinite(value) and value > 0 else rate
    return rate


def _unmasked(column, missing=None):
    """A ``param_*`` column as a list, with ``missing`` where it is masked.

    In a ``pandas.DataFrame`` of ``cv_results_`` a masked entry is NaN.
    """
    if isinstance(column, np.ma.MaskedArray):
        values, mask = column.data, np.ma.getmaskarray(column)
    else:  # a list, an array, a pandas Series
        values = np.asarray(column, dtype=object)
        mask = np.zeros(len(values), dtype=bool)
    return [
        missing if masked or _is_nan(value) else value
        for value, masked in zip(values, mask, strict=True)
    ]


#: A parameter that a candidate's grid (of a list of grids) leaves out.
_LEFT_OUT = object()


def _is_nan(value):
    return isinstance(value, (float, np.floating)) and np.isnan(value)
