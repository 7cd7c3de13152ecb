"""Use case of the after-sales context: the customer answers a satisfaction survey."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update

from lienmach.aftersales import model
from lienmach.aftersales.events import SurveyAnswered
from lienmach.aftersales.tables import surveys
from lienmach.kernel.errors import DomainError, InvalidInput, NotFound
from lienmach.kernel.prepared import prepared
from lienmach.kernel.uow import UnitOfWork

# Built once with bind parameters: building a statement costs more than running it.
_ANSWER_SURVEY = prepared(
    update(surveys)
    .where(surveys.c.token == bindparam("b_token"), surveys.c.answered_at.is_(None))
    .values(
        answered_at=bindparam("b_answered_at"),
        score=bindparam("b_score"),
        comment=bindparam("b_comment"),
        category=bindparam("b_category"),
    )
    .returning(surveys.c.id, surveys.c.order_id, surveys.c.customer_id)
)
_SURVEY_BY_TOKEN = prepared(select(surveys.c.id).where(surveys.c.token == bindparam("b_token")))


def answer_survey(uow: UnitOfWork, *, token: str, score: int, comment: str = "") -> str:
    """Record the customer's 0–10 answer to a survey, once; returns the survey id."""
    errors: dict[str, str] = {}
    if not model.is_valid_score(score):
        errors["score"] = "give a whole number from 0 (not at all likely) to 10 (very likely)"
    if len(comment) > model.MAX_COMMENT:
        errors["comment"] = f"keep the comment under {model.MAX_COMMENT} characters"
    if errors:
        raise InvalidInput(errors)
    category = model.category_of(score)
    # One statement: the answer is taken only while there is none (a second answer finds none).
    survey = _ANSWER_SURVEY.run(
        uow.connection,
        {
            "b_token": token,
            "b_answered_at": uow.now(),
            "b_score": score,
            "b_comment": comment.strip(),
            "b_category": category.value,
        },
    ).first()
    if survey is None:
        if _SURVEY_BY_TOKEN.run(uow.connection, {"b_token": token}).first() is None:
            raise NotFound("survey", token)
        raise DomainError("this survey was already answered; thank you")
    uow.publish(
        SurveyAnswered(
            survey_id=survey.id,
            order_id=survey.order_id,
            customer_id=survey.customer_id,
            score=score,
            category=category.value,
        )
    )
    return str(survey.id)
