""" "Grade in the LMS": the demo's grading view, where teachers grade without leaving the LMS.

Two ways into Erbij for one student, as real LMSs offer them:

- LTI Submission Review (Moodle's gradebook): for a line item whose `submissionReview` the
  tool set, a "Review" button launches an LtiSubmissionReviewRequest with `for_user`.
- Canvas SpeedGrader: a score carrying the `https://canvas.instructure.com/lti/submission`
  extension records a submission; its `submission_data` URL is launched as the
  target_link_uri of a resource link launch. The demo plays Canvas when "Act as Canvas" is
  on (the tool_platform product family becomes "canvas").

Routes live on the pages blueprint (same signed-in person, same page globals).
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .context import get_lms
from .errors import DemoError
from .hints import RESOURCE_LINK, SUBMISSION_REVIEW
from .launch import PRODUCT_FAMILY
from .oidc import SETTING_PRODUCT_FAMILY
from .store import LineItem
from .views import _hint, _launch_view, _teacher_of, bp, current_user


@bp.get("/courses/<course_id>/grader")
def grader(course_id: str) -> str:
    """Each gradebook column with a review or submissions, each student with their buttons.

    `?item=<line item>&student=<user>&open=review|submission` starts that launch here."""
    lms = get_lms()
    course = _teacher_of(course_id)
    store = lms.store
    results = store.results_for_course(course.id)
    items = [
        i for i in store.line_items(course.id) if i.submission_review or any(k[0] == i.id and r.submission for k, r in results.items())
    ]
    students = store.learners(course.id)
    launch = None
    selected = None
    if request.args.get("open") in ("review", "submission"):
        item = _item(course.id, request.args.get("item", type=int))
        student = store.get_user(request.args.get("student", ""))
        if student is None or student not in students:
            raise DemoError("There is no such student in this course.", 404)
        if item.resource_link_id is None:
            raise DemoError("This gradebook column is not linked to an activity.", 404)
        selected = (item.id, student.id)
        if request.args["open"] == "review":
            if not item.submission_review:
                raise DemoError("This gradebook column does not offer a submission review.", 404)
            hint = _hint(
                course,
                SUBMISSION_REVIEW,
                resource_link_id=item.resource_link_id,
                for_user_id=student.id,
                line_item_id=item.id,
                target_link_uri=item.submission_review.get("url"),
            )
            launch = _launch_view(hint, f"Review: {student.name} · {item.label}")
        else:
            result = results.get((item.id, student.id))
            submission = result.submission if result else None
            if not submission or submission.get("submission_type") != "basic_lti_launch":
                raise DemoError("This student has no submission to open.", 404)
            hint = _hint(course, RESOURCE_LINK, resource_link_id=item.resource_link_id, target_link_uri=submission["submission_data"])
            launch = _launch_view(hint, f"SpeedGrader: {student.name} · {item.label}")
    return render_template(
        "demo/grader.html",
        course=course,
        items=items,
        students=students,
        results=results,
        launch=launch,
        selected=selected,
        acting_as_canvas=(store.get_setting(SETTING_PRODUCT_FAMILY, PRODUCT_FAMILY) == "canvas"),
        me=current_user(),
    )


@bp.post("/courses/<course_id>/grader/platform")
def grader_platform(course_id: str) -> Response:
    """Switch the product family the demo announces: itself, or Canvas."""
    _teacher_of(course_id)
    family = "canvas" if request.form.get("canvas") == "on" else PRODUCT_FAMILY
    get_lms().store.set_setting(SETTING_PRODUCT_FAMILY, family)
    return redirect(url_for(".grader", course_id=course_id))


def _item(course_id: str, item_id: int | None) -> LineItem:
    item = get_lms().store.get_line_item(course_id, item_id or 0)
    if item is None:
        raise DemoError("There is no such gradebook column.", 404)
    return item
