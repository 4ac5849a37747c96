"""A filled-in sample block, for the demo account and for tests and benchmarks."""

from __future__ import annotations

from decimal import Decimal

from relationships.document import DOCUMENT_VERSION, create_canvas_from_document
from relationships.models import Canvas, Relationship

T = Relationship.Type
G = Relationship.Goal

SAMPLE = {
    "title": "Panadería La Espiga",
    "description": (
        "Pan de masa madre y bollería hecha cada mañana en el barrio, con reparto a oficinas "
        "antes de las 8 y un club de suscripción semanal para familias."
    ),
    "business_fit": (
        "La suscripción y el reparto usan la misma ruta de la furgoneta; la comunidad vive en "
        "la app con la que ya se hacen los pedidos, así que su coste es bajo."
    ),
    "market_effect": "Ser «la panadería que se sabe tu nombre»: cercana, artesana y puntual.",
    "segments": [
        {
            "name": "Familias del barrio",
            "description": "Hogares a menos de 1 km que compran pan a diario.",
            "expected_type": T.PERSONAL,
            "expectation": "Que les atiendan por su nombre y les guarden su pan.",
            "customer_count": 400,
            "purchases_per_year": Decimal("150"),
            "average_spend": Decimal("4.50"),
            "new_customers_per_year": 60,
            "relationships": [
                {
                    "type": T.PERSONAL,
                    "contact": "direct",
                    "reach": "individual",
                    "bond": "transactional",
                    "goals": [G.RETENTION, G.BOOSTING_SALES],
                    "state": "established",
                    "interaction": "En el mostrador, cada día; Marta conoce a los habituales.",
                    "costs": [("Horas de mostrador", "1200", "monthly")],
                },
                {
                    "type": T.COMMUNITIES,
                    "contact": "remote",
                    "reach": "collective",
                    "bond": "long_term",
                    "goals": [G.RETENTION],
                    "state": "planned",
                    "interaction": "Grupo de recetas y talleres de masa madre una vez al mes.",
                    "costs": [
                        ("Materiales de taller", "60", "monthly"),
                        ("Lanzamiento", "300", "one_off"),
                    ],
                },
            ],
        },
        {
            "name": "Oficinas del centro",
            "description": "Empresas de 10 a 50 personas que piden desayunos.",
            "expected_type": T.DEDICATED,
            "expectation": "Una persona de contacto que resuelva cambios de pedido al momento.",
            "customer_count": 25,
            "purchases_per_year": Decimal("220"),
            "average_spend": Decimal("38"),
            "new_customers_per_year": 8,
            "relationships": [
                {
                    "type": T.DEDICATED,
                    "contact": "remote",
                    "reach": "individual",
                    "bond": "long_term",
                    "goals": [G.ACQUISITION, G.RETENTION],
                    "state": "planned",
                    "interaction": "Una gestora de cuentas por WhatsApp y una visita al trimestre.",
                    "costs": [("Media jornada de gestora", "900", "monthly")],
                },
                {
                    "type": T.AUTOMATED,
                    "contact": "remote",
                    "reach": "individual",
                    "bond": "long_term",
                    "goals": [G.BOOSTING_SALES],
                    "state": "established",
                    "interaction": "La app repite el pedido habitual y sugiere novedades.",
                    "costs": [("Licencia de la app", "480", "yearly"), ("Alta", "250", "one_off")],
                },
            ],
        },
    ],
}


def sample_document(data: dict = SAMPLE) -> dict:
    """A canvas document from a plain dict shaped like ``SAMPLE``.

    ``SAMPLE`` leaves out what a document needs but a reader of it does not: the version, the
    currency (the canvas's default unless given) and ids; its costs are
    ``(label, amount, frequency)`` tuples. Every list of the result is new.
    """
    return {
        "version": DOCUMENT_VERSION,
        "currency": Canvas._meta.get_field("currency").get_default(),
        **{k: v for k, v in data.items() if k != "segments"},
        "segments": [
            {
                **{k: v for k, v in segment.items() if k != "relationships"},
                "relationships": [
                    {
                        **{k: v for k, v in relationship.items() if k != "costs"},
                        "goals": list(relationship["goals"]),
                        "costs": [
                            {"label": label, "amount": amount, "frequency": frequency}
                            for label, amount, frequency in relationship["costs"]
                        ],
                    }
                    for relationship in segment["relationships"]
                ],
            }
            for segment in data["segments"]
        ],
    }


def create_sample_canvas(owner, data: dict = SAMPLE) -> Canvas:
    """Create a canvas from a plain dict shaped like ``SAMPLE``, through its document.

    Raises DocumentError if ``data`` is not a valid canvas (see ``validate_document``).
    """
    return create_canvas_from_document(owner, sample_document(data))
