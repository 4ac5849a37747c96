"""Help texts for the relationship types and the guiding questions, in the product's words."""

from django.utils.translation import gettext_lazy as _

from relationships.models import RelationshipType

TYPE_HELP = {
    RelationshipType.PERSONAL: (
        _(
            "Someone from your team talks to the customer and helps them before, while and "
            "after they buy. Its cost grows with the number of customers: each one takes "
            "somebody's time."
        ),
        _("A shop assistant at the counter, or a help line answered by people."),
    ),
    RelationshipType.DEDICATED: (
        _(
            "One named person looks after a small group of customers and answers for their "
            "whole experience, often for years."
        ),
        _(
            "A private banker for wealthy clients, a key account manager, or an artisan who "
            "takes exclusive commissions."
        ),
    ),
    RelationshipType.SELF_SERVICE: (
        _(
            "There is no personal contact: you give customers everything they need to help "
            "themselves."
        ),
        _("A self-checkout, a vending machine, or a clear online FAQ."),
    ),
    RelationshipType.AUTOMATED: (
        _(
            "Self-service that feels personal: the system recognises each customer and uses "
            "their history to serve them."
        ),
        _("Book or film suggestions based on what you bought, or a chat assistant."),
    ),
    RelationshipType.COMMUNITIES: (
        _(
            "Customers meet each other, share what they learn and solve each other's problems; "
            "you learn about them by listening."
        ),
        _(
            "A private online forum for the users of a new product, like the one a drug maker "
            "opened for a weight-loss medicine."
        ),
    ),
    RelationshipType.CO_CREATION: (
        _("Customers help create the value itself: content, designs or improvements."),
        _("Reviews written by readers or travellers, or a workshop that takes design ideas."),
    ),
    RelationshipType.THIRD_PARTIES: (
        _(
            "Other companies or outside services carry your value proposition to the segment. "
            "It is not one of Osterwalder's six types and it overlaps the Channels block: the "
            "customer's relationship is then with the third party, so say who owns it and what "
            "you keep."
        ),
        _("Agents who sell insurance policies, or resellers of a language course."),
    ),
}

# Each guiding question: what to write, an example, and the field of the forms that answers it.
QUESTION_HELP = {
    "description": (
        _("Say in a few lines what you offer, to whom, and why it matters to them."),
        _("“Fresh bread delivered before 8 am to offices in the city centre.”"),
        _("“Venture and value proposition”, when you edit the venture."),
    ),
    "expectation": (
        _(
            "Which relationship does this segment expect from you? Compare it with what you "
            "have today."
        ),
        _("“They expect to speak to a person when an order goes wrong.”"),
        _("“Relationship they expect” and “What they expect, in your words”, in each segment."),
    ),
    "interaction": (
        _("How, how often and through whom do you interact? Does it fit its cost and format?"),
        _("“A call every quarter from their account manager, plus a monthly newsletter.”"),
        _("“How we interact”, in each relationship."),
    ),
    "business_fit": (
        _(
            "How do these relationships connect with your value proposition, channels, "
            "segments and cost structure?"
        ),
        _("“Our community runs on the same app we sell through, so it costs us little.”"),
        _("“Fit with the rest of the business model”, when you edit the venture."),
    ),
    "market_effect": (
        _("What image, prestige or brand do you want these relationships to leave?"),
        _("“Being known as the bakery that remembers your name.”"),
        _("“Effect wanted on the market”, when you edit the venture."),
    ),
    "costs": (
        _(
            "Put a figure on setting up and keeping each relationship: people's time, tools, "
            "events, commissions."
        ),
        _("“Forum software: 40 per month; launch event: 600 once.”"),
        _("The costs of each relationship: “Add a cost” on its card."),
    ),
}


def type_help() -> list[dict]:
    """Every type with its description and example, in the order of the choices."""
    return [
        {
            "value": value,
            "label": label,
            "description": TYPE_HELP[value][0],
            "example": TYPE_HELP[value][1],
        }
        for value, label in RelationshipType.choices
    ]
