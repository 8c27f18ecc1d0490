"""The grader (SPEC §5), tested with tables of answers people really write."""

from __future__ import annotations

import pytest

from bot.domain.bank import KeyPoint
from bot.domain.grading import (
    DEFAULT_CONFIG,
    EMPTY_MESSAGE,
    Grade,
    GraderConfig,
    build_idf,
    copies_any,
    copy_form,
    grade,
    normalise,
    similarity,
)

REG = KeyPoint(
    point="Regularization reduces overfitting by penalising large weights.",
    cues=("weight decay",),
    alternatives=("Adding a penalty on the size of the weights keeps the model from overfitting.",),
    hint="Think about what happens to big coefficients.",
)
AUC = KeyPoint(
    point="ROC AUC measures how well the model ranks positives above negatives.",
    cues=("area under the curve",),
)
IMBALANCE = KeyPoint(
    point="Accuracy is not enough for imbalanced data.",
    cues=("misleading",),
)
DROPOUT = KeyPoint(point="Dropout randomly zeroes activations during training.")
BAGGING = KeyPoint(point="Bagging averages many high-variance models to reduce variance.")
L1 = KeyPoint(point="L1 regularization drives many weights to exactly zero, giving sparse models.")
L2 = KeyPoint(point="L2 regularization shrinks all weights smoothly towards zero.")


def strength(answer: str, kp: KeyPoint | str, question: str = "") -> float:
    return grade(answer, [kp], question=question).points[0].strength


def covers(answer: str, kp: KeyPoint | str, question: str = "") -> bool:
    return grade(answer, [kp], question=question).points[0].covered


# --- normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Regularization REDUCES Overfitting!!!", "regularization reduces overfitting"),
        ("<@U123ABC> I think it's dropout", "i think it is dropout"),
        ("see <https://arxiv.org/abs/1207.0580|the dropout paper>", "see the dropout paper"),
        ("see <https://arxiv.org/abs/1207.0580>", "see"),
        ("as we said in <#C123ABC|ml-study>", "as we said in ml study"),
        ("<!here> L2 works :white_check_mark: :+1:", "l2 works"),
        ("```model.fit(X_train, y)```", "model fit x train y"),
        ("tune `max_depth` first", "tune max depth first"),
        ("*bias* _variance_ ~noise~", "bias variance noise"),
        ("• bias\n- variance\n* irreducible error", "bias variance irreducible error"),
        ("precision &amp; recall &lt;0.5&gt;", "precision recall 0.5"),
        ("It’s “naïve” Bayes — isn’t it?", "it is naive bayes is not it"),
        ("ＧＰＵ ﬁne‑tuning", "gpu fine tuning"),
        ("don't, doesn't, didn't", "do not does not did not"),
        ("you can't and it won't", "you cannot and it will not"),
        (
            "they're sure we've seen it; I'd say I'm right",
            "they are sure we have seen it i would say i am right",
        ),
        ("the model's weights, that's it, let's go", "the model weights that is it let us go"),
        ("dont isnt cant wont", "do not is not cannot will not"),
        ("", ""),
        (":thinking_face: :tada:", ""),
    ],
)
def test_normalise_handles_what_people_type_in_slack(text: str, expected: str) -> None:
    assert normalise(text) == expected


# --- what earns credit --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "Regularization reduces overfitting by penalising large weights.",
        "regularisation reduces overfiting by penalizing large weigths",  # typos, British spelling
        "regulariztion reduses overfiting by penalizng larg weigths",  # a typo in every word
        "Regularizing reduced overfit by penalizing larger weights",  # inflections
        "By penalising the large weights, regularization reduces overfitting.",  # word order
        "REGULARIZATION REDUCES OVERFITTING BY PENALISING LARGE WEIGHTS",  # case
        "Weight decay reduces overfitting by penalising large weights.",  # cue as a synonym
        "adding a penalty on weight size keeps the model from overfitting",  # an alternative
        "*Regularization* reduces overfitting — it penalises large weights :bulb:",  # markup
    ],
)
def test_the_point_in_other_words_is_covered(answer: str) -> None:
    g = grade(answer, [REG])
    assert g.covered_indices == (0,)
    assert g.score == 100


@pytest.mark.parametrize(
    ("answer", "kp"),
    [
        ("Area under the curve tells you how well the model ranks positives above negatives", AUC),
        ("the AUC measures how well a model ranks the positives above the negatives", AUC),
        ("Dropout randomly zeroes out activations while training", DROPOUT),
        ("during training dropout zeroes random activations", DROPOUT),
        ("Bagging reduces variance by averaging lots of high variance models", BAGGING),
    ],
)
def test_paraphrases_with_cues_and_reordering_are_covered(answer: str, kp: KeyPoint) -> None:
    assert covers(answer, kp)


@pytest.mark.parametrize(
    "answer",
    [
        "overfitting",
        "regularization",
        "weights",
        "It is about overfitting.",
        "Regularization is a technique.",
    ],
)
def test_one_word_of_a_multi_concept_point_does_not_cover_it(answer: str) -> None:
    g = grade(answer, [REG])
    assert not g.points[0].covered
    assert g.score < 50


@pytest.mark.parametrize(
    "answer",
    [
        "regularization, overfitting, reduces, penalising, large weights",
        "• regularization\n• reduces\n• overfitting\n• penalising\n• large weights",
        "Keywords: regularization; overfitting; reduce; penalise; large; weights",
    ],
)
def test_a_keyword_dump_does_not_earn_full_credit(answer: str) -> None:
    g = grade(answer, [REG])
    assert g.score < 100
    assert not g.points[0].covered
    stated = grade("Regularization reduces overfitting by penalising large weights.", [REG])
    assert g.points[0].strength < stated.points[0].strength


@pytest.mark.parametrize(
    "answer",
    [
        "Regularization does not reduce overfitting by penalising large weights.",
        "Regularization doesn't reduce overfitting, even though it penalises large weights.",
        "Regularization doesnt reduce overfitting by penalising large weights",
        "Regularization never reduces overfitting by penalising large weights.",
        "Regularization isn't reducing overfitting by penalising large weights.",
        "Regularization no longer reduces overfitting by penalising large weights.",
        "Regularization can’t reduce overfitting by penalising large weights.",
        "You reduce overfitting without regularization penalising large weights.",
        # a long negator keeps its meaning through one typo
        "Regularization canot reduce overfitting by penalising large weights.",
        "Regularization cannto reduce overfitting by penalising large weights.",
        "You reduce overfitting wihtout regularization penalising large weights.",
    ],
)
def test_a_negated_statement_does_not_cover_the_positive_point(answer: str) -> None:
    g = grade(answer, [REG])
    assert not g.points[0].covered
    assert g.score < 70


def test_words_one_typo_from_a_negator_but_real_are_not_negations() -> None:
    assert covers(
        "The cannon example: regularization reduces overfitting by penalising large weights.", REG
    )


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Accuracy is not enough for imbalanced data.", True),
        ("accuracy isn't enough when the data is imbalanced", True),
        ("Accuracy is never enough on imbalanced data", True),
        ("On imbalanced data accuracy alone is not enough", True),
        ("Accuracy is enough for imbalanced data.", False),
        ("Accuracy is good enough for imbalanced data", False),
    ],
)
def test_a_negative_key_point_is_covered_only_by_a_negative_answer(
    answer: str, expected: bool
) -> None:
    assert covers(answer, IMBALANCE) is expected


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Why does regularization reduce overfitting?", "Regularization reduces overfitting."),
        (
            "Why does regularization reduce overfitting?",
            "Why does regularization reduce overfitting?",
        ),
        (
            "What is regularization and how does it help with overfitting?",
            "What is regularization and how does it help with overfitting?",
        ),
    ],
)
def test_echoing_the_question_earns_nothing(question: str, answer: str) -> None:
    g = grade(answer, [REG], question=question)
    assert not g.points[0].covered
    assert g.score < 30
    # the same words earn more when they do not merely repeat the question
    assert grade(answer, [REG]).score > g.score
    real = "It penalises big weights, so the model overfits less: reduces overfitting."
    assert grade(real, [REG], question=question).score > g.score


def test_question_words_still_count_when_the_answer_says_more() -> None:
    question = "What is regularization and how does it help with overfitting?"
    answer = "Regularization reduces overfitting by penalising large weights."
    assert covers(answer, REG, question)


@pytest.mark.parametrize(
    ("answer", "covered"),
    [
        ("L1 regularization drives many weights to exactly zero, so models are sparse.", (0,)),
        ("L2 regularization shrinks all the weights smoothly towards zero.", (1,)),
        (
            "L1 regularization drives many weights to exactly zero, so models are sparse. "
            "L2 regularization shrinks all weights smoothly towards zero.",
            (0, 1),
        ),
        ("Dropout randomly zeroes activations during training.", (2,)),
    ],
)
def test_one_span_does_not_cover_unrelated_points(answer: str, covered: tuple[int, ...]) -> None:
    assert grade(answer, [L1, L2, DROPOUT]).covered_indices == covered


# --- score, weights, messages -------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["", " ", "\n\t  \n", "\u00a0\u2003"])
def test_empty_or_whitespace_scores_zero_with_a_message(answer: str) -> None:
    g = grade(answer, [REG, AUC])
    assert g.score == 0
    assert g.message == EMPTY_MESSAGE
    assert g.covered == ()
    assert g.missed == (REG, AUC)
    assert g.missed_indices == (0, 1)
    assert g.evidence == {}


@pytest.mark.parametrize("answer", [":thinking_face: :+1:", "<@U123ABC>", "<https://x.io>"])
def test_an_answer_without_words_scores_zero_with_a_message(answer: str) -> None:
    g = grade(answer, [REG])
    assert g.score == 0
    assert g.message is not None
    assert "no words" in g.message


@pytest.mark.parametrize(
    ("weights", "answer", "expected"),
    [
        ((1.0, 1.0), "Dropout randomly zeroes activations during training.", 50),
        ((3.0, 1.0), "Dropout randomly zeroes activations during training.", 75),
        ((1.0, 3.0), "Dropout randomly zeroes activations during training.", 25),
        ((2.0, 2.0), "Bagging averages many high-variance models to reduce variance.", 50),
    ],
)
def test_score_is_weighted_by_key_point_weight(
    weights: tuple[float, float], answer: str, expected: int
) -> None:
    kps = [
        KeyPoint(point=DROPOUT.point, weight=weights[0]),
        KeyPoint(point="Gradient clipping caps the gradient norm.", weight=weights[1]),
    ]
    if "Bagging" in answer:
        kps = [KeyPoint(point=BAGGING.point, weight=2.0), KeyPoint(point=L2.point, weight=2.0)]
    g = grade(answer, kps, config=GraderConfig(partial_credit=0.0))
    assert g.score == expected


def test_partial_strength_counts_partially_and_can_be_turned_off() -> None:
    answer = "Regularization penalises large weights."
    with_partial = grade(answer, [REG], config=GraderConfig(partial_credit=1.0))
    without = grade(answer, [REG], config=GraderConfig(partial_credit=0.0))
    assert not with_partial.points[0].covered
    assert 0 < with_partial.score < 100
    assert without.score == 0


def test_strings_are_key_points_and_grade_exposes_covered_and_missed() -> None:
    answer = "Dropout randomly zeroes activations during training. That is all I know."
    g = grade(answer, [DROPOUT.point, AUC.point])
    assert isinstance(g, Grade)
    assert g.covered == (KeyPoint(point=DROPOUT.point),)
    assert g.missed == (KeyPoint(point=AUC.point),)
    assert g.covered_indices == (0,)
    assert g.missed_indices == (1,)
    assert [p.index for p in g.points] == [0, 1]
    assert g.points[1].evidence is None
    assert 0.0 <= g.points[1].strength < g.points[0].strength <= 1.0


@pytest.mark.parametrize(
    ("answer", "kp", "expected"),
    [
        (
            "Honestly? Regularisation reduces overfitting by penalising large weights. Done.",
            REG,
            "Regularisation reduces overfitting by penalising large weights",
        ),
        (
            "First point. *Dropout* randomly zeroes activations during training :tada:",
            DROPOUT,
            "Dropout* randomly zeroes activations during training",
        ),
        (
            "In <#C1|general> we said: the model’s AUC measures how well it ranks positives "
            "above negatives.",
            AUC,
            "model’s AUC measures how well it ranks positives above negatives",
        ),
    ],
)
def test_evidence_is_the_matching_span_of_the_original_answer(
    answer: str, kp: KeyPoint, expected: str
) -> None:
    g = grade(answer, [kp])
    assert g.evidence == {0: expected}
    assert expected in answer


def test_a_40000_character_answer_is_graded_and_the_point_found() -> None:
    filler = (
        "Gradient boosting builds trees sequentially, each fitting the residuals of the last. "
        "Feature scaling matters for distance-based models such as k-nearest neighbours. "
    )
    needle = "Dropout randomly zeroes activations during training."
    half = (filler * 300)[:19_950]
    answer = (half + " " + needle + " " + filler * 300)[:40_000]
    assert len(answer) == 40_000
    g = grade(answer, [DROPOUT, REG, AUC], question="How do you fight overfitting?")
    assert g.covered_indices == (0,)
    assert g.evidence[0] == "Dropout randomly zeroes activations during training"


@pytest.mark.parametrize(
    "answer",
    [
        "Regularization reduces overfitting by penalising large weights. AUC ranks positives.",
        "accuracy isn't enough for imbalanced data, use the area under the curve",
    ],
)
def test_grading_is_deterministic(answer: str) -> None:
    kps = [REG, AUC, IMBALANCE]
    idf = build_idf([kp.point for kp in kps])
    first = grade(answer, kps, question="Q?", idf=idf)
    assert all(grade(answer, kps, question="Q?", idf=idf) == first for _ in range(5))


# --- idf, config, similarity --------------------------------------------------------------------


def test_build_idf_weighs_rare_stems_more_and_knows_unseen_ones() -> None:
    idf = build_idf(
        [
            "The model overfits the training data.",
            "The model underfits.",
            "Dropout regularises the model.",
        ]
    )
    assert idf["dropout"] > idf["model"]
    assert idf["overfit"] == idf["underfit"]
    assert idf[""] >= idf["dropout"]  # a stem never seen is as rare as the rarest


def test_idf_weighting_makes_rare_words_decide() -> None:
    kp = KeyPoint(point="The model uses dropout layers.")
    idf = build_idf(["the model", "model layers", "model uses", "dropout layers"] * 3)
    config = GraderConfig(idf_power=1.0, partial_credit=1.0)
    common = grade("the model uses layers", [kp], idf=idf, config=config).points[0].strength
    rare = grade("dropout is used", [kp], idf=idf, config=config).points[0].strength
    flat = grade("dropout is used", [kp], config=config).points[0].strength
    assert rare > flat
    assert common < 1.0


def test_default_config_is_the_documented_one() -> None:
    assert GraderConfig() == DEFAULT_CONFIG
    assert 0.0 < DEFAULT_CONFIG.cover_threshold <= 1.0
    with pytest.raises(AttributeError):
        DEFAULT_CONFIG.cover_threshold = 0.1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("a", "b", "high"),
    [
        ("Regularization reduces overfitting.", "regularization reduces overfitting!!", True),
        ("Regularization reduces overfitting.", "Dropout zeroes activations at random.", False),
    ],
)
def test_similarity_spots_near_duplicates(a: str, b: str, high: bool) -> None:
    assert (similarity(a, b) >= 90) is high
    earlier = [copy_form("an unrelated answer about gradient descent"), copy_form(b)]
    assert copies_any(copy_form(a), earlier, 90) is high


# --- long points, cues, polarity, partial credit (realistic answers) ----------------------------

LEAKAGE = KeyPoint(
    point=(
        "Target leakage occurs when a feature is derived from, or recorded after, the outcome "
        "being predicted, so offline scores look far better than production."
    ),
    cues=("target leakage", "future information"),
)
MIXED = KeyPoint(
    point="Prompting changes behaviour through the input alone, with no weight changes."
)


@pytest.mark.parametrize(
    "answer",
    [
        "Leakage is when a feature is only recorded after the outcome you predict.",
        "A feature derived from the outcome is leakage: offline scores look great, production not.",
        "Target leakage: the model sees future information.",
    ],
)
def test_a_long_point_is_covered_by_its_main_concepts_in_other_words(answer: str) -> None:
    assert covers(answer, LEAKAGE)


@pytest.mark.parametrize(
    "answer",
    ["leakage", "target leakage, feature, outcome, predicted, production", "It is about leakage."],
)
def test_a_long_point_is_not_covered_by_a_word_or_a_keyword_dump(answer: str) -> None:
    g = grade(answer, [LEAKAGE])
    assert not g.points[0].covered
    assert g.score < 50


def test_a_cue_lookalike_earns_less_than_the_cue_itself() -> None:
    kp = KeyPoint(
        point="Unsupervised learning finds structure, such as clusters, in unlabelled data.",
        cues=("patterns",),
    )
    exact = strength("Unsupervised learning finds patterns in the data.", kp)
    lookalike = strength("Unsupervised learning finds matters in the data.", kp)
    assert exact > lookalike


def test_a_word_the_point_uses_both_negated_and_not_is_no_contradiction() -> None:
    answer = "Prompting only uses the input: no weight changes."
    assert strength(answer, MIXED) > strength(
        "Prompting only uses the input: weights change.", MIXED
    )
    assert covers("Prompting changes behaviour through the input, with no weight changes.", MIXED)


def test_weak_overlap_earns_nothing_but_near_misses_earn_partial_credit() -> None:
    weak = grade("It is about overfitting.", [REG])
    near = grade("Regularization penalises large weights.", [REG])
    assert weak.score == 0
    assert not near.points[0].covered
    assert 0 < near.score < 100
