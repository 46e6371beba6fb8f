"""Launches about one student: an LTI Submission Review from the LMS's gradebook (Moodle)
or a signed submission link from Canvas SpeedGrader. The LTI layer says who (`for_user`);
here Erbij checks that this person is a student of the launch's course.
"""

from __future__ import annotations

from ..extensions import db
from ..lti import LaunchContext, LaunchRefused
from ..models import User
from ..roster import is_active_learner, sync_roster


def review_student(launch: LaunchContext) -> User:
    """The student the launch is about; refused unless an active learner of its course.

    A student who never opened Erbij is not known yet: the roster (NRPS) is asked once."""
    user_id = launch.for_user_id
    if user_id is None or not is_active_learner(launch.course_id, user_id):
        sync_roster(launch, force=True)
        user_id = launch.for_user_id
    if user_id is None or not is_active_learner(launch.course_id, user_id):
        raise LaunchRefused("for_user_not_member", detail="for_user is not an active learner of the course")
    return db.session.get(User, user_id)


def check_own(launch: LaunchContext) -> None:
    """A student's review launch may only be about themselves."""
    if launch.for_user_sub != launch.user.sub:
        raise LaunchRefused("for_user_forbidden", detail="a learner's launch names another user")
