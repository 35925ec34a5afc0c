"""Facilities, teams, partner organisations and neighbourhoods of the demonstration data.

Facility names follow the administration's usage (``Prison locale``, ``Prison
centrale``), partners are the kinds of bodies a reintegration team really works with
(the foundation and its post-release centres, ANAPEC, OFPPT, Entraide Nationale,
communes, health services, NGOs, employers). Employers and associations are fictitious;
e-mail addresses use the reserved ``.example`` domain so that no demo message can
ever reach a real mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from passerelle_core.enums import FacilityKind, PartnerKind

# fmt: off


@dataclass(frozen=True)
class City:
    name: str
    name_ar: str
    region: str
    phone_prefix: str
    neighbourhoods: tuple[str, ...]


CITIES: dict[str, City] = {
    city.name: city
    for city in (
        City("Casablanca", "الدار البيضاء", "Casablanca-Settat", "0522",
             ("Hay Mohammadi", "Sidi Moumen", "Derb Sultan", "Hay Hassani", "Ben M'Sick",
              "Aïn Chock", "Sidi Bernoussi", "Médina", "Moulay Rachid", "Aïn Sebaâ")),
        City("Salé", "سلا", "Rabat-Salé-Kénitra", "0537",
             ("Hay Karima", "Tabriquet", "Sidi Moussa", "Bettana", "Hay Salam", "Médina")),
        City("Rabat", "الرباط", "Rabat-Salé-Kénitra", "0537",
             ("Yacoub El Mansour", "Takaddoum", "Hay Nahda", "Douar El Hajja", "Akkari")),
        City("Tanger", "طنجة", "Tanger-Tétouan-Al Hoceïma", "0539",
             ("Beni Makada", "Casabarata", "Mesnana", "Dradeb", "Médina", "Hay Mers")),
        City("Fès", "فاس", "Fès-Meknès", "0535",
             ("Bensouda", "Aïn Nokbi", "Zouagha", "Fès El Bali", "Narjiss", "Aïn Kadous")),
        City("Marrakech", "مراكش", "Marrakech-Safi", "0524",
             ("Sidi Youssef Ben Ali", "Daoudiate", "M'Hamid", "Médina", "Massira",
              "Bab Doukkala")),
        City("Aït Melloul", "أيت ملول", "Souss-Massa", "0528",
             ("Tarrast", "Lqliâa", "Azrou", "Hay Salam", "Sidi Mimoun")),
        City("Agadir", "أكادير", "Souss-Massa", "0528",
             ("Tikiouine", "Dcheira", "Hay Mohammadi", "Anza", "Bensergao")),
        City("Oujda", "وجدة", "Oriental", "0536",
             ("Lazaret", "Sidi Yahya", "Hay Al Qods", "Médina", "Hay Nakhil")),
        City("Meknès", "مكناس", "Fès-Meknès", "0535",
             ("Sidi Baba", "Borj Moulay Omar", "Marjane", "Bassatine", "Médina")),
        City("Kénitra", "القنيطرة", "Rabat-Salé-Kénitra", "0537",
             ("Ouled Oujih", "Saknia", "Bir Rami", "Maamora", "Médina")),
        City("Tétouan", "تطوان", "Tanger-Tétouan-Al Hoceïma", "0539",
             ("Jbel Dersa", "Sania Rmel", "Touabel", "Médina", "Kouilma")),
    )
}


@dataclass(frozen=True)
class FacilitySpec:
    code: str
    name: str
    name_ar: str
    kind: FacilityKind
    city: str
    weight: float
    """Share of the beneficiaries held there (a large remand prison holds many)."""
    teams: tuple[tuple[str, bool], ...]
    """(team name, requires a supervisor's approval of plans)."""


_REINTEGRATION = "Service de réinsertion"
_RELEASE_CELL = "Cellule de préparation à la libération"

FACILITIES: tuple[FacilitySpec, ...] = (
    FacilitySpec("CAS-OUK", "Prison locale Oukacha", "السجن المحلي عكاشة",
                 FacilityKind.PRISON, "Casablanca", 3.0,
                 ((f"{_REINTEGRATION} – Oukacha", True), (f"{_RELEASE_CELL} – Oukacha", False))),
    FacilitySpec("SAL-2", "Prison locale Salé 2", "السجن المحلي سلا 2",
                 FacilityKind.PRISON, "Salé", 2.0,
                 ((f"{_REINTEGRATION} – Salé 2", False), (f"{_RELEASE_CELL} – Salé 2", False))),
    FacilitySpec("TNG-2", "Prison locale Tanger 2", "السجن المحلي طنجة 2",
                 FacilityKind.PRISON, "Tanger", 2.0,
                 ((f"{_REINTEGRATION} – Tanger 2", True), (f"{_RELEASE_CELL} – Tanger 2", True))),
    FacilitySpec("FES-RMA", "Prison locale Ras El Ma", "السجن المحلي رأس الماء",
                 FacilityKind.PRISON, "Fès", 1.5, ((f"{_REINTEGRATION} – Ras El Ma", True),)),
    FacilitySpec("MRK-LOU", "Prison locale Lowdaya", "السجن المحلي لوداية",
                 FacilityKind.PRISON, "Marrakech", 1.5, ((f"{_REINTEGRATION} – Lowdaya", False),)),
    FacilitySpec("AGA-AM1", "Prison locale Aït Melloul 1", "السجن المحلي أيت ملول 1",
                 FacilityKind.PRISON, "Aït Melloul", 1.5,
                 ((f"{_REINTEGRATION} – Aït Melloul 1", False),)),
    FacilitySpec("OUJ", "Prison locale Oujda", "السجن المحلي وجدة",
                 FacilityKind.PRISON, "Oujda", 1.0, ((f"{_REINTEGRATION} – Oujda", False),)),
    FacilitySpec("MEK-TL2", "Prison locale Toulal 2", "السجن المحلي تولال 2",
                 FacilityKind.PRISON, "Meknès", 1.0, ((f"{_REINTEGRATION} – Toulal 2", False),)),
    FacilitySpec("KEN-PC", "Prison centrale Kénitra", "السجن المركزي القنيطرة",
                 FacilityKind.PRISON, "Kénitra", 1.0, ((f"{_REINTEGRATION} – Kénitra", True),)),
    FacilitySpec("TET", "Prison locale Tétouan", "السجن المحلي تطوان",
                 FacilityKind.PRISON, "Tétouan", 1.0, ((f"{_REINTEGRATION} – Tétouan", False),)),
    FacilitySpec("DR-CS", "Direction régionale Casablanca-Settat",
                 "المديرية الجهوية الدار البيضاء سطات", FacilityKind.REGIONAL_OFFICE,
                 "Casablanca", 0.0,
                 (("Cellule régionale d'accompagnement post-carcéral", True),)),
)


@dataclass(frozen=True)
class PartnerSpec:
    name: str
    name_ar: str
    kind: PartnerKind
    city: str
    services: tuple[tuple[str, str], ...]
    """(service name, need domain id of the instrument ``passerelle-needs``)."""
    positions: tuple[str, ...]
    """Job titles of the contacts staff call."""


_CAPP = (
    ("Accueil et orientation après la libération", "housing"),
    ("Aide à l'insertion professionnelle", "employment"),
    ("Médiation familiale", "family"),
    ("Soutien psychosocial", "mental_health"),
)
_CAPP_POSITIONS = ("Directeur du centre", "Chargée d'accompagnement", "Assistante sociale")
_ANAPEC = (
    ("Programme Idmaj (contrat d'insertion)", "employment"),
    ("Atelier de techniques de recherche d'emploi", "employment"),
    ("Appui à l'auto-emploi", "finances"),
)
_OFPPT = (
    ("Formation qualifiante\u00a0: électricité du bâtiment", "employment"),
    ("Formation qualifiante\u00a0: plomberie sanitaire", "employment"),
    ("Formation qualifiante\u00a0: cuisine", "employment"),
    ("Cours du soir\u00a0: remise à niveau", "education"),
)
_ENTRAIDE = (
    ("Aide sociale d'urgence", "finances"),
    ("Orientation vers un centre d'accueil", "housing"),
    ("Centre d'éducation et de formation", "education"),
)
_COMMUNE = (
    ("Bureau d'état civil\u00a0: actes de naissance", "civil_status"),
    ("Attestation de résidence", "civil_status"),
    ("Maison de jeunes\u00a0: activités sportives et culturelles", "peers_leisure"),
)


def _network(
    prefix: str, prefix_ar: str, kind: PartnerKind, cities: tuple[str, ...],
    services: tuple[tuple[str, str], ...], positions: tuple[str, ...],
) -> tuple[PartnerSpec, ...]:
    """One partner per city for the bodies that have local branches everywhere."""
    return tuple(
        PartnerSpec(_elide(f"{prefix} {city}"), f"{prefix_ar} {CITIES[city].name_ar}", kind,
                    city, services, positions)
        for city in cities
    )


def _elide(name: str) -> str:
    """French elision: ``délégation de Oujda`` is written ``délégation d'Oujda``."""
    head, _, city = name.rpartition(" de ")
    if head and city[:1] in "AEIOUÉÂÎ":
        return f"{head} d'{city}"
    return name


PARTNERS: tuple[PartnerSpec, ...] = (
    PartnerSpec("Fondation Mohammed VI pour la réinsertion des détenus",
                "مؤسسة محمد السادس لإعادة إدماج السجناء", PartnerKind.FOUNDATION, "Rabat",
                (("Formation qualifiante en détention", "employment"),
                 ("Accompagnement de micro-projets", "finances"),
                 ("Programme d'enseignement en détention", "education")),
                ("Chargé de programme", "Responsable régional")),
    *_network("Centre d'accompagnement post-carcéral (CAPP) –", "مركز المواكبة بعد الإفراج -",
              PartnerKind.FOUNDATION,
              ("Casablanca", "Tanger", "Fès", "Marrakech", "Oujda", "Agadir", "Salé"),
              _CAPP, _CAPP_POSITIONS),
    *_network("ANAPEC – agence de", "الوكالة الوطنية لإنعاش التشغيل والكفاءات -",
              PartnerKind.PUBLIC_SERVICE, ("Casablanca", "Tanger", "Fès", "Marrakech", "Kénitra"),
              _ANAPEC, ("Conseiller emploi", "Chef d'agence")),
    *_network("OFPPT – ISTA de", "مكتب التكوين المهني وإنعاش الشغل -",
              PartnerKind.PUBLIC_SERVICE, ("Casablanca", "Salé", "Meknès", "Agadir"),
              _OFPPT, ("Directeur de l'établissement", "Conseillère en orientation")),
    *_network("Entraide Nationale – délégation de", "التعاون الوطني - مندوبية",
              PartnerKind.PUBLIC_SERVICE, ("Casablanca", "Oujda", "Marrakech", "Tétouan"),
              _ENTRAIDE, ("Délégué", "Assistante sociale")),
    *_network("Commune de", "جماعة", PartnerKind.LOCAL_AUTHORITY,
              ("Salé", "Tanger", "Fès", "Marrakech", "Meknès"),
              _COMMUNE, ("Officier d'état civil", "Chef de la division sociale")),
    PartnerSpec("Centre d'addictologie de Tanger", "مركز علاج الإدمان بطنجة",
                PartnerKind.PUBLIC_SERVICE, "Tanger",
                (("Consultation et traitement de substitution", "substance_use"),),
                ("Médecin chef", "Infirmier coordinateur")),
    PartnerSpec("Hôpital psychiatrique Ar-Razi", "مستشفى الرازي للأمراض العقلية",
                PartnerKind.PUBLIC_SERVICE, "Salé",
                (("Consultation psychiatrique", "mental_health"),),
                ("Psychiatre", "Infirmière coordinatrice")),
    PartnerSpec("Centre de santé urbain Hay Mohammadi", "المركز الصحي الحضري الحي المحمدي",
                PartnerKind.PUBLIC_SERVICE, "Casablanca",
                (("Consultation de médecine générale", "physical_health"),
                 ("Aide à l'inscription à l'AMO Tadamon", "physical_health")),
                ("Médecin chef", "Infirmier")),
    PartnerSpec("Bureau d'aide juridictionnelle – TPI de Fès",
                "مكتب المساعدة القضائية - المحكمة الابتدائية بفاس",
                PartnerKind.PUBLIC_SERVICE, "Fès",
                (("Aide juridictionnelle", "legal_situation"),
                 ("Information sur l'exécution des peines et amendes", "legal_situation")),
                ("Greffier en chef", "Avocat de permanence")),
    PartnerSpec("Association Amal pour la réinsertion", "جمعية الأمل لإعادة الإدماج",
                PartnerKind.NGO, "Casablanca",
                (("Groupe de parole", "attitudes"),
                 ("Mentorat par d'anciens bénéficiaires", "strengths"),
                 ("Hébergement temporaire", "housing")),
                ("Président de l'association", "Coordinatrice de projets", "Éducateur")),
    PartnerSpec("Association Annour pour la santé mentale", "جمعية النور للصحة النفسية",
                PartnerKind.NGO, "Fès",
                (("Suivi psychologique", "mental_health"), ("Groupe de soutien", "mental_health")),
                ("Présidente de l'association", "Psychologue bénévole")),
    PartnerSpec("Association Tadamoun des familles", "جمعية التضامن للأسر", PartnerKind.NGO,
                "Tanger",
                (("Médiation familiale", "family"), ("Soutien scolaire des enfants", "children")),
                ("Coordinatrice", "Médiatrice familiale")),
    PartnerSpec("Association Chourouk d'alphabétisation", "جمعية الشروق لمحو الأمية",
                PartnerKind.NGO, "Marrakech",
                (("Cours d'alphabétisation", "responsivity"),
                 ("Cours d'arabe écrit pour adultes", "education")),
                ("Président de l'association", "Formatrice")),
    PartnerSpec("Association Al Ihsane pour l'enfance", "جمعية الإحسان للطفولة",
                PartnerKind.NGO, "Oujda", (("Appui aux enfants de détenus", "children"),),
                ("Présidente de l'association", "Éducatrice")),
    PartnerSpec("Association Sport et Quartiers", "جمعية الرياضة والأحياء", PartnerKind.NGO,
                "Salé", (("Activités sportives encadrées", "peers_leisure"),),
                ("Président de l'association", "Entraîneur")),
    PartnerSpec("Association Al Wafae d'aide aux usagers de drogues",
                "جمعية الوفاء لمساعدة متعاطي المخدرات", PartnerKind.NGO, "Tétouan",
                (("Accueil et réduction des risques", "substance_use"),),
                ("Coordinateur", "Pair éducateur")),
    PartnerSpec("Coopérative agricole Al Baraka", "التعاونية الفلاحية البركة",
                PartnerKind.EMPLOYER, "Meknès", (("Emplois saisonniers agricoles", "employment"),),
                ("Président de la coopérative",)),
    PartnerSpec("Atlas Bâtiment SARL", "شركة أطلس للبناء", PartnerKind.EMPLOYER, "Agadir",
                (("Chantiers du bâtiment\u00a0: aides-maçons", "employment"),),
                ("Gérant", "Chef de chantier")),
    PartnerSpec("Menuiserie Ennajah", "نجارة النجاح", PartnerKind.EMPLOYER, "Fès",
                (("Apprentissage en menuiserie", "employment"),), ("Gérant",)),
    PartnerSpec("Garage Sebou Auto", "مرآب سبو للسيارات", PartnerKind.EMPLOYER, "Kénitra",
                (("Apprentissage en mécanique automobile", "employment"),), ("Gérant",)),
    PartnerSpec("Boulangerie Al Amal", "مخبزة الأمل", PartnerKind.EMPLOYER, "Salé",
                (("Poste d'aide-boulanger", "employment"),), ("Gérant",)),
    PartnerSpec("Nord Confection", "شركة الشمال للخياطة", PartnerKind.EMPLOYER, "Tanger",
                (("Opérateurs et opératrices de couture", "employment"),),
                ("Responsable des ressources humaines", "Chef d'atelier")),
)

STREETS: tuple[str, ...] = ("Rue", "Derb", "Zenka", "Impasse", "Bloc")
"""Kinds of street of a home address; a number follows (``Derb 12``)."""
MAIN_STREETS: tuple[str, ...] = (
    "Avenue Hassan II", "Avenue Mohammed V", "Boulevard Zerktouni", "Rue Ibn Sina",
    "Avenue des FAR", "Rue Allal Ben Abdellah",
)
"""Where partners have their offices."""
# fmt: on
