from .programmes import InspectionActivity, Programme, ProgrammePage
from .register import Recommendation, RecommendationStatusChange, Status
from .reports import Finding, InspectionIndexPage, InspectionReportPage

__all__ = [
    "Finding",
    "InspectionActivity",
    "InspectionIndexPage",
    "InspectionReportPage",
    "Programme",
    "ProgrammePage",
    "Recommendation",
    "RecommendationStatusChange",
    "Status",
]
