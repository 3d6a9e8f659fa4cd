"""Fixed vocabulary of the demo organisation: functions, job titles, competencies, teams,
locations, names and compliance courses. Only data; the generator picks from it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CompetencyDef:
    code: str
    name: str
    tier: str
    description: str


@dataclass(frozen=True)
class Function:
    """A business function: one VP, one job family, its own functional competencies."""

    name: str
    prefix: str
    weight: float
    titles: tuple[str, str, str, str, str, str]
    """Job titles of levels 1-6: three individual-contributor levels, then manager,
    director and vice president."""
    teams: tuple[str, ...]
    competencies: tuple[CompetencyDef, ...]


def _functional(prefix: str, *items: tuple[str, str, str]) -> tuple[CompetencyDef, ...]:
    return tuple(
        CompetencyDef(f"{prefix}-{code}", name, "functional", d) for code, name, d in items
    )


CORE_COMPETENCIES: tuple[CompetencyDef, ...] = tuple(
    CompetencyDef(f"CORE-{code}", name, "core", description)
    for code, name, description in (
        ("COMM", "Communication", "Conveys information clearly in writing and in person."),
        ("COLLAB", "Collaboration", "Works across teams towards shared goals."),
        ("ADAPT", "Adaptability", "Adjusts plans and ways of working as conditions change."),
        ("PROB", "Problem Solving", "Breaks problems down and finds workable solutions."),
        ("CUST", "Customer Focus", "Understands customer needs and acts on them."),
        ("INTEG", "Integrity and Ethics", "Acts honestly and follows laws and company policy."),
        ("LEARN", "Continuous Learning", "Seeks feedback and builds new skills deliberately."),
        ("PLAN", "Planning and Organising", "Prioritises work and meets commitments."),
        ("DATA", "Data Literacy", "Reads, questions and uses data to make decisions."),
        ("DIGI", "Digital Fluency", "Uses the company's digital tools effectively and safely."),
    )
)

LEADERSHIP_COMPETENCIES: tuple[CompetencyDef, ...] = tuple(
    CompetencyDef(f"LEAD-{code}", name, "leadership", description)
    for code, name, description in (
        ("PEOPLE", "People Leadership", "Builds engaged teams and sets clear expectations."),
        ("COACH", "Coaching", "Develops others through feedback and guided practice."),
        ("STRAT", "Strategic Thinking", "Connects daily work to long-term direction."),
        ("CHANGE", "Leading Change", "Plans and guides people through organisational change."),
        ("DECIDE", "Decision Making", "Makes timely, well-reasoned decisions under uncertainty."),
        ("INFL", "Influencing", "Gains support for ideas without relying on authority."),
        ("BUS", "Business Acumen", "Understands how the business creates value and profit."),
        ("TALENT", "Talent Development", "Identifies potential and grows future leaders."),
        ("BUDGET", "Budget Management", "Plans and controls a team's budget."),
        ("VISION", "Vision Setting", "Articulates a compelling picture of the future."),
    )
)

# fmt: off
FUNCTIONS: tuple[Function, ...] = (
    Function(
        "Engineering", "ENG", 0.30,
        (
            "Software Engineer I", "Software Engineer II", "Software Engineer III",
            "Engineering Manager", "Director of Engineering", "VP Engineering",
        ),
        (
            "Platform", "Payments", "Mobile", "Data", "Infrastructure", "Security", "Search",
            "Identity", "Web", "Developer Tools", "Reliability", "Machine Learning",
        ),
        _functional(
            "ENG",
            ("CODE", "Software Development", "Writes correct, maintainable, tested code."),
            ("ARCH", "System Design", "Designs systems that scale and fail gracefully."),
            ("OPS", "Operating Production Systems", "Deploys, monitors and debugs live services."),
            ("SEC", "Secure Engineering", "Builds software that resists common attacks."),
            ("QUAL", "Testing and Quality", "Designs tests and quality gates for software."),
        ),
    ),
    Function(
        "Sales", "SAL", 0.18,
        (
            "Sales Associate", "Account Executive", "Senior Account Executive", "Sales Manager",
            "Director of Sales", "VP Sales",
        ),
        (
            "Enterprise", "Mid-Market", "SMB", "EMEA", "APAC", "Americas", "Partnerships",
            "Inside Sales",
        ),
        _functional(
            "SAL",
            ("PROSP", "Prospecting", "Finds and qualifies new opportunities."),
            ("NEGO", "Negotiation", "Reaches agreements that work for both sides."),
            ("ACCT", "Account Management", "Grows long-term customer relationships."),
            ("PIPE", "Pipeline Management", "Forecasts and manages deals through stages."),
            ("PROD", "Product Knowledge", "Explains the product's value for each customer."),
        ),
    ),
    Function(
        "Operations", "OPS", 0.14,
        (
            "Operations Associate", "Operations Analyst", "Senior Operations Analyst",
            "Operations Manager", "Director of Operations", "VP Operations",
        ),
        (
            "Supply Chain", "Procurement", "Facilities", "Logistics", "Business Operations",
            "Vendor Management",
        ),
        _functional(
            "OPS",
            ("PROC", "Process Improvement", "Finds waste and improves how work flows."),
            ("SUPP", "Supply Chain Management", "Plans supply to meet demand at low cost."),
            ("VEND", "Vendor Management", "Selects and manages suppliers and contracts."),
            ("RISK", "Operational Risk", "Identifies and mitigates operational risks."),
            ("PROJ", "Project Management", "Delivers projects on scope, time and budget."),
        ),
    ),
    Function(
        "Customer Success", "CS", 0.10,
        (
            "Support Specialist I", "Support Specialist II", "Customer Success Manager",
            "Support Manager", "Director of Customer Success", "VP Customer Success",
        ),
        ("Support", "Onboarding", "Renewals", "Technical Support", "Customer Education"),
        _functional(
            "CS",
            ("SUPP", "Customer Support", "Resolves customer issues quickly and kindly."),
            ("ONB", "Customer Onboarding", "Gets new customers to value fast."),
            ("RET", "Retention Management", "Spots churn risk and acts early."),
            ("TECH", "Technical Troubleshooting", "Diagnoses product problems methodically."),
            ("VOICE", "Voice of the Customer", "Turns customer feedback into improvements."),
        ),
    ),
    Function(
        "Marketing", "MKT", 0.08,
        (
            "Marketing Coordinator", "Marketing Specialist", "Senior Marketing Specialist",
            "Marketing Manager", "Director of Marketing", "VP Marketing",
        ),
        ("Brand", "Growth", "Content", "Product Marketing", "Events"),
        _functional(
            "MKT",
            ("BRAND", "Brand Management", "Builds a consistent, trusted brand."),
            ("DIGI", "Digital Marketing", "Runs measurable online campaigns."),
            ("CONT", "Content Creation", "Writes and produces content that engages."),
            ("ANLY", "Marketing Analytics", "Measures campaign impact and attribution."),
            ("MRES", "Market Research", "Understands markets, segments and competitors."),
        ),
    ),
    Function(
        "Product", "PRD", 0.07,
        (
            "Associate Product Manager", "Product Manager", "Senior Product Manager",
            "Group Product Manager", "Director of Product", "VP Product",
        ),
        ("Core Product", "Growth Product", "Design", "Research", "Analytics"),
        _functional(
            "PRD",
            ("DISC", "Product Discovery", "Validates problems and solutions with users."),
            ("ROAD", "Roadmapping", "Sequences work to deliver outcomes."),
            ("UX", "User Experience Design", "Designs usable, accessible experiences."),
            ("METR", "Product Metrics", "Defines and tracks measures of success."),
            ("REQ", "Requirements Writing", "Writes clear, testable requirements."),
        ),
    ),
    Function(
        "Finance", "FIN", 0.07,
        (
            "Finance Associate", "Financial Analyst", "Senior Financial Analyst",
            "Finance Manager", "Director of Finance", "VP Finance",
        ),
        ("Accounting", "FP&A", "Treasury", "Tax", "Payroll"),
        _functional(
            "FIN",
            ("ACCT", "Accounting", "Records transactions under accounting standards."),
            ("MODEL", "Financial Modelling", "Builds models that support decisions."),
            ("BUDG", "Budgeting and Forecasting", "Plans and tracks budgets and forecasts."),
            ("CTRL", "Internal Controls", "Designs controls that prevent errors and fraud."),
            ("TAX", "Tax Compliance", "Meets tax obligations in every jurisdiction."),
        ),
    ),
    Function(
        "HR", "HR", 0.06,
        (
            "HR Coordinator", "HR Generalist", "HR Business Partner", "HR Manager",
            "Director of People", "VP People",
        ),
        (
            "Talent Acquisition", "People Operations", "Learning and Development",
            "Total Rewards", "Employee Relations",
        ),
        _functional(
            "HR",
            ("RECR", "Recruiting", "Attracts and selects strong candidates fairly."),
            ("EMPL", "Employee Relations", "Handles workplace issues fairly and lawfully."),
            ("COMP", "Compensation and Benefits", "Designs fair, competitive rewards."),
            ("LND", "Learning Design", "Designs learning that changes behaviour."),
            ("LAW", "Employment Law", "Applies employment law in daily decisions."),
        ),
    ),
)
# fmt: on

EXECUTIVE_FAMILY = "Executive"
EXECUTIVE_PROFILE = ("EXE-6", "Chief Executive Officer")
EXECUTIVE_UNIT = "Executive Office"

LOCATIONS: tuple[str, ...] = (
    "London",
    "New York",
    "Berlin",
    "Singapore",
    "Toronto",
    "Madrid",
    "Bangalore",
    "Remote",
)


@dataclass(frozen=True)
class ComplianceCourse:
    code: str
    title: str
    description: str
    hours: float
    recertify_months: int
    competency_code: str
    level: int


# fmt: off
COMPLIANCE_COURSES: tuple[ComplianceCourse, ...] = (
    ComplianceCourse("CMP-CONDUCT", "Code of Conduct",
                     "The company's code of conduct and how to raise concerns.",
                     1.0, 12, "CORE-INTEG", 2),
    ComplianceCourse("CMP-INFOSEC", "Information Security Awareness",
                     "Phishing, passwords, device security and reporting incidents.",
                     1.5, 12, "CORE-DIGI", 2),
    ComplianceCourse("CMP-PRIVACY", "Data Protection and Privacy",
                     "Handling personal data lawfully (GDPR and similar laws).",
                     2.0, 24, "CORE-INTEG", 2),
    ComplianceCourse("CMP-BRIBERY", "Anti-Bribery and Corruption",
                     "Gifts, hospitality and dealing with public officials.",
                     1.0, 24, "CORE-INTEG", 1),
    ComplianceCourse("CMP-SAFETY", "Workplace Health and Safety",
                     "Staying safe at work, in the office and at home.",
                     1.0, 36, "CORE-PLAN", 1),
    ComplianceCourse("CMP-RESPECT", "Respect at Work",
                     "Preventing harassment and discrimination; bystander action.",
                     1.5, 24, "CORE-COLLAB", 2),
)

FIRST_NAMES: tuple[str, ...] = (
    "Aisha", "Alejandro", "Amara", "Andrei", "Anna", "Arjun", "Beatriz", "Ben", "Carla",
    "Chen", "Chloe", "Daniel", "Daria", "David", "Diego", "Elena", "Emeka", "Emily", "Emma",
    "Fatima", "Felix", "Gabriel", "Grace", "Hana", "Hannah", "Hiroshi", "Ibrahim", "Ines",
    "Isabel", "Ivan", "Jack", "James", "Jana", "Javier", "Ji-woo", "Jonas", "Julia", "Kai",
    "Karim", "Kavya", "Laura", "Leila", "Leon", "Liam", "Lina", "Lucas", "Lucia", "Maria",
    "Mateo", "Maya", "Mei", "Mohammed", "Nadia", "Naomi", "Nikhil", "Nina", "Noah", "Olga",
    "Oliver", "Omar", "Paula", "Pedro", "Priya", "Rahul", "Rosa", "Ryan", "Sara", "Sean",
    "Sofia", "Sophie", "Tariq", "Thomas", "Tomasz", "Valentina", "Victor", "Wei", "Yara",
    "Yusuf", "Zara", "Zoe",
)

LAST_NAMES: tuple[str, ...] = (
    "Adeyemi", "Ahmed", "Ali", "Andersen", "Baker", "Bauer", "Bianchi", "Brown", "Castro",
    "Chen", "Costa", "Das", "Dubois", "Evans", "Fernandez", "Fischer", "Garcia", "Gonzalez",
    "Gupta", "Hansen", "Hernandez", "Hoffmann", "Ibrahim", "Ito", "Jansen", "Johnson", "Kim",
    "Kowalski", "Kumar", "Lee", "Lopez", "Martin", "Martinez", "Meyer", "Mueller", "Murphy",
    "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Patel", "Perez", "Petrov", "Rossi",
    "Santos", "Schmidt", "Silva", "Singh", "Smith", "Suzuki", "Tanaka", "Taylor", "Thomas",
    "Wagner", "Walker", "Wang", "Williams", "Wilson", "Wong", "Yilmaz", "Zhang",
)
# fmt: on
