"""SQLAlchemy 2.x typed models, one module per concept, and the database session."""
from models.account_token import AccountToken
from models.api_token import ApiToken
from models.audit import AuditEntry
from models.availability import AvailabilityException, AvailabilityRule, CalendarUpload
from models.base import Base, utcnow
from models.event import EventLine, SquareEvent
from models.exclusion import SiteExclusion
from models.feed import FeedToken
from models.feed_event import FeedEvent, FeedRender
from models.feed_job import FeedJob
from models.geography import District, Township
from models.notification import Notification
from models.organisation import Organisation
from models.pairing import Pairing
from models.pairing_proposal import PairingProposal, PairingProposalItem
from models.person import Person, PersonRole, PersonSkill
from models.rating import VisitOutcome, VisitRating
from models.referral import Referral
from models.schedule import Assignment, OpenPlace, Schedule
from models.service_product import ServiceProduct
from models.shift_template import ShiftTemplate, ShiftTemplateLine
from models.site import Site
from models.skill import Skill
from models.slot import Slot, SlotLine
from models.solve_job import SolveJob
from models.swap import Decline, SwapRequest
from models.user import RecoveryCode, User
from models.visit_request import RequestHandover, RequestWindow, VisitRequest

__all__ = [
    "AccountToken", "ApiToken", "Assignment", "AuditEntry", "AvailabilityException", "AvailabilityRule", "Base",
    "CalendarUpload", "Decline", "District", "EventLine", "FeedEvent", "FeedJob", "FeedRender", "FeedToken", "Notification",
    "OpenPlace", "Organisation", "Pairing", "PairingProposal", "PairingProposalItem", "Person", "PersonRole", "PersonSkill",
    "RecoveryCode", "Referral", "RequestHandover", "RequestWindow", "Schedule", "ServiceProduct", "ShiftTemplate", "ShiftTemplateLine",
    "Site", "SiteExclusion", "Skill", "Slot", "SolveJob", "SlotLine", "SquareEvent", "SwapRequest", "Township", "User",
    "VisitOutcome", "VisitRating", "VisitRequest", "utcnow",
]
