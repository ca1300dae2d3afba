"""The demo's invented people and what they say (modelled on a CCM stakeholder dialogue)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    localpart: str
    display_name: str
    affiliation: str = ""
    category: str = ""


MODERATOR = Person("moderator", "Moderator Ilse Varangian")
ISU = Person("isu", "Secretariat Officer Pell Quorindale")
PARTICIPANTS: tuple[Person, ...] = (
    Person("ruritania", "Rudolf Elphberg-Tarlenheim", "Republic of Ruritania", "State party"),
    Person("fenwick", "Gloriana Tully-Mountjoy", "Grand Duchy of Fenwick", "State party"),
    Person("freedonia", "Rufus Firefly-Trentino", "Freedonian Ministry of Foreign Affairs", "State not party"),
    Person("hwb", "Amaranth Okonkwo-Lindqvist", "Humanity Without Borders", "civil society"),
    Person("elbonia", "Dilberta Mudsworth", "Survivors' Network of Elbonia", "survivors"),
    Person("latveria", "Valeska Doomstadt", "Kingdom of Latveria", "State party"),
    Person("genovia", "Mirabel Renaldi-Thermopolis", "Genovian Demining Institute", "international organisation"),
    Person("sokovia", "Pietro Maximoffsky", "Sokovian Red Crescent", "international organisation"),
)
QUICK_PARTICIPANTS = PARTICIPANTS[:4]
PEOPLE: tuple[Person, ...] = (MODERATOR, ISU, *PARTICIPANTS)

DIALOGUE_TITLE = "Strengthening the norms against cluster munitions"

# (title, prompt, [(participant index, text), ...])
CHALLENGES: list[tuple[str, str, list[tuple[int, str]]]] = [
    (
        "New use and transfers of cluster munitions",
        "How should States parties respond to new use and transfers of cluster munitions?",
        [
            (0, "Transfers of cluster munitions through the territory of States parties must be challenged publicly."),
            (1, "Transfers of cluster munitions through the territory of States parties must be challenged publicly!"),
            (2, "The normalisation of transfers between States not party erodes the stigma against the weapon."),
            (3, "Silence about new use in ongoing conflicts weakens the norm; every use should be condemned."),
            (4, "Survivors see every new use as a betrayal of the promise made in Oslo."),
            (5, "Reports of new use should be documented and shared with all States parties."),
        ],
    ),
    (
        "A State party's withdrawal from the Convention",
        "What follows from a State party's withdrawal, and how should others respond?",
        [
            (1, "A State party's withdrawal sets a dangerous precedent for humanitarian disarmament."),
            (2, "Withdrawal from the Convention must not become normal; other States parties should respond jointly."),
            (3, "Universalisation efforts under Article 21 need renewed energy and political attention."),
            (6, "Engage States not party on their Article 21 obligations and on transparency."),
        ],
    ),
    (
        "Implementation support for affected States",
        "How can cooperation and assistance better reach affected States and communities?",
        [
            (4, "Cooperation and assistance for affected States must reach survivors and their communities."),
            (5, "Implementation support mechanisms should find synergies with other disarmament regimes."),
            (6, "Clearance of contaminated land should be prioritised where civilians return home."),
            (7, "Survivors need sustained, predictable victim assistance funding."),
        ],
    ),
    (
        "Broader alliances for the norm",
        "Which alliances beyond the States parties could strengthen the norm?",
        [
            (0, "As the Republic of Ruritania, we will host a regional workshop for parliamentarians next year."),
            (3, "Faith leaders, medical associations and financial institutions should be part of the coalition."),
            (7, "Divestment from producers of cluster munitions sends a strong signal to the market."),
        ],
    ),
]

EDIT = (2, "The normalisation of transfers between States not party erodes the stigma and invites further use.")
WITHDRAWN = (5, "A point I will take back: perhaps new use should simply be noted.")
QUOTED_REPLY = (
    1,
    "Agreed; the Grand Duchy of Fenwick has raised this bilaterally with its neighbours and will keep doing so.",
)
PRIVATE = (7, "Privately: some delegations fear that condemning a partner's new use will cost them aid.")

# The secretariat's expected themes for challenge 1, given before it opens: each contribution goes under the heading
# it is closest to (synopsis.guided). Chosen so that the current method places the script's texts under them: the
# two transfer texts under the first, the edited normalisation text under the second, and (full demo only) the three
# texts on new use under the third; the quoted reply matches none and stays under "Other points raised".
HEADINGS_CHALLENGE = 1
HEADINGS: tuple[str, ...] = (
    "Challenging transfers through the territory of States parties",
    "Normalisation eroding the stigma against the weapon",
    "Condemning and documenting every new use",
)
QUICK_HEADINGS = HEADINGS[:2]  # the quick demo has no text on new use, so the third heading draws nothing

# The consensus round on challenge 1: per heading, the reaction of participant 0, 1, … (the quick demo uses the first
# four). Transfers: broad agreement (all agree; one pass in the full demo); normalisation: divided (half agree, half
# disagree); new use: mixed views (half agree, a quarter disagree, a quarter pass).
AGREE, DISAGREE, PASS = "👍", "👎", "➖"
CONSENSUS_VOTES: dict[str, tuple[str, ...]] = {
    HEADINGS[0]: (AGREE, AGREE, AGREE, AGREE, AGREE, AGREE, PASS, AGREE),
    HEADINGS[1]: (AGREE, DISAGREE, AGREE, DISAGREE, DISAGREE, AGREE, DISAGREE, AGREE),
    HEADINGS[2]: (AGREE, AGREE, PASS, DISAGREE, AGREE, AGREE, DISAGREE, PASS),
}
QUICK_MARKS = {HEADINGS[0]: "broad agreement", HEADINGS[1]: "divided"}
MARKS = {**QUICK_MARKS, HEADINGS[2]: "mixed views"}

# The secretariat's own wording for challenge 2's first theme, and its lead paragraph for that challenge.
ISU_WORDING = "A withdrawal from the Convention should meet a joint response of the States parties."
ISU_LEAD = "Participants discussed how the States parties could respond together to a withdrawal."
