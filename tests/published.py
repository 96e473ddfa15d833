"""The figures the published brief prints, shared by the tests that check them."""

# design.md §3: the specification the data must reproduce, not a result of the build.
PUBLISHED = {
    "responses": 1018,
    "partnerships": 148,
    "areas": 150,
    "challenge.engagement.total": 273,
    "challenge.engagement.getting_involved": 167,
    "challenge.engagement.raising_awareness": 38,
    "challenge.engagement.specific_groups": 31,
    "challenge.delivery.total": 186,
    "challenge.delivery.momentum": 33,
    "challenge.delivery.complex_projects": 23,
    "challenge.relationships.total": 87,
    "challenge.relationships.local_authorities": 35,
    "challenge.relationships.conflict": 32,
    "support.engagement.total": 184,
    "support.engagement.increase_engagement": 184,
    "support.skills.total": 197,
    "support.skills.core_skills": 95,
    "support.skills.business_skills": 41,
    "support.skills.governance": 35,
    "support.legacy.total": 75,
    "support.legacy.business_planning": 55,
    "support.legacy.legal_entity": 16,
}
