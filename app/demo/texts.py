"""French wording of the demonstration records: goals, actions, notes, meetings.

French is the working language of the administration's files, so case records are
written in French whatever the interface language. Templates use ``{first}`` for the
beneficiary's first name and ``{e}`` for the feminine agreement (``""`` or ``"e"``).
These strings are data, not interface messages: they are not translated.
"""

from __future__ import annotations

GOALS: dict[str, tuple[str, ...]] = {
    "housing": (
        "Disposer d'un hébergement stable dès la libération",
        "Préparer le retour au domicile familial",
        "Obtenir une place en centre d'accueil temporaire",
    ),
    "education": (
        "Suivre le programme d'alphabétisation de l'établissement",
        "Préparer le certificat d'études primaires",
        "Reprendre une formation scolaire de niveau collège",
    ),
    "employment": (
        "Obtenir une formation qualifiante pendant la détention",
        "Trouver un emploi ou un stage après la libération",
        "Monter un projet d'auto-emploi",
    ),
    "finances": (
        "Établir un plan de remboursement des dettes",
        "Gérer un budget mensuel",
        "Obtenir une aide d'urgence pour les premières semaines",
    ),
    "family": (
        "Rétablir le contact avec la famille",
        "Préparer le retour en famille avec une médiation",
        "Maintenir des visites familiales régulières",
    ),
    "children": (
        "Maintenir le lien avec les enfants",
        "Assurer la scolarité des enfants pendant la détention",
        "Régulariser la pension alimentaire",
    ),
    "peers_leisure": (
        "S'éloigner des fréquentations à risque",
        "Pratiquer une activité sportive ou culturelle régulière",
    ),
    "substance_use": (
        "Réduire puis arrêter la consommation de cannabis",
        "Suivre un traitement de substitution",
        "Intégrer un groupe de soutien après la libération",
    ),
    "physical_health": (
        "Obtenir une couverture médicale (AMO Tadamon)",
        "Suivre le traitement d'une maladie chronique",
        "Réaliser un bilan de santé complet",
    ),
    "mental_health": (
        "Bénéficier d'un suivi psychologique régulier",
        "Obtenir une consultation psychiatrique",
        "Apprendre à gérer le stress et la colère",
    ),
    "attitudes": (
        "Participer au groupe de parole sur la responsabilité",
        "Gérer les conflits sans violence",
    ),
    "civil_status": (
        "Obtenir la carte nationale d'identité électronique",
        "Obtenir un extrait d'acte de naissance",
        "Faire inscrire la naissance à l'état civil",
    ),
    "legal_situation": (
        "Régler les amendes en suspens",
        "Préparer une demande de libération conditionnelle",
        "Obtenir l'aide juridictionnelle pour l'affaire pendante",
    ),
    "strengths": (
        "Valoriser les compétences acquises en détention",
        "Identifier une personne ressource pour l'après-libération",
    ),
    "responsivity": (
        "Suivre les cours d'alphabétisation en arabe",
        "Adapter l'accompagnement à la langue amazighe",
    ),
}

ACTIONS: dict[str, tuple[str, ...]] = {
    "housing": (
        "Contacter la famille pour vérifier la possibilité d'hébergement",
        "Orienter vers le CAPP pour un hébergement temporaire",
        "Visiter le logement prévu",
    ),
    "education": (
        "Inscrire au programme d'alphabétisation",
        "Évaluer le niveau scolaire",
        "Assister aux cours trois fois par semaine",
    ),
    "employment": (
        "Inscrire à la formation qualifiante",
        "Rédiger un CV et une lettre de motivation",
        "S'inscrire à l'ANAPEC",
        "Rencontrer un employeur partenaire",
    ),
    "finances": (
        "Faire le point sur les dettes",
        "Demander une aide sociale d'urgence",
        "Participer à l'atelier de gestion du budget",
    ),
    "family": (
        "Appeler la famille pour préparer une visite",
        "Organiser une séance de médiation familiale",
        "Écrire une lettre à la famille",
    ),
    "children": (
        "Contacter l'école des enfants",
        "Organiser une visite des enfants au parloir",
        "Orienter vers l'association d'appui aux enfants",
    ),
    "peers_leisure": (
        "S'inscrire à l'activité sportive de l'établissement",
        "Identifier une association de quartier",
    ),
    "substance_use": (
        "Orienter vers la consultation d'addictologie",
        "Mener un entretien motivationnel",
        "Participer au groupe de soutien",
    ),
    "physical_health": (
        "Constituer le dossier AMO",
        "Prendre rendez-vous avec le médecin de l'établissement",
        "Retirer le traitement au centre de santé",
    ),
    "mental_health": (
        "Entretiens psychologiques hebdomadaires",
        "Demander une consultation psychiatrique",
        "Participer à l'atelier de gestion du stress",
    ),
    "attitudes": (
        "Participer aux séances du groupe de parole",
        "Travailler individuellement sur les situations à risque",
    ),
    "civil_status": (
        "Demander l'extrait d'acte de naissance à la commune",
        "Déposer la demande de CNIE",
        "Obtenir l'attestation de résidence",
    ),
    "legal_situation": (
        "Faire le point avec l'avocat",
        "Demander l'aide juridictionnelle",
        "Préparer le dossier de libération conditionnelle",
    ),
    "strengths": (
        "Rencontrer un mentor de l'association",
        "Faire le bilan des compétences acquises",
    ),
    "responsivity": ("S'inscrire aux cours d'alphabétisation", "Prévoir un interprète en amazighe"),
}

ACTION_OUTCOMES: tuple[str, ...] = (
    "Réalisé comme prévu.",
    "Réalisé avec du retard.",
    "Fait, pièces jointes au dossier.",
    "Réalisé avec l'aide de la famille.",
)

ITEM_NOTES: dict[str, tuple[str, ...]] = {
    "housing": (
        "Ne sait pas encore où loger à sa libération.",
        "Hébergement possible chez un frère.",
    ),
    "education": ("N'a pas terminé l'école primaire.", "Lit l'arabe avec difficulté."),
    "employment": ("Travaillait comme journalier dans le bâtiment.", "Aucune expérience déclarée."),
    "finances": ("Dettes auprès de proches.", "Amende non réglée."),
    "family": ("Rupture avec le père depuis l'incarcération.", "Visites régulières de la mère."),
    "children": ("Deux enfants scolarisés, gardés par la grand-mère.",),
    "substance_use": ("Consommation quotidienne de cannabis avant l'incarcération.",),
    "physical_health": ("Diabète suivi par le médecin de l'établissement.",),
    "mental_health": ("Troubles du sommeil signalés.",),
    "civil_status": ("CNIE perdue, acte de naissance à demander.",),
    "legal_situation": ("Une affaire pendante au tribunal de première instance.",),
    "responsivity": ("Amazighophone, comprend peu l'arabe écrit.",),
}

ASSESSMENT_NOTES: tuple[str, ...] = (
    "Entretien réalisé en darija.",
    "Informations recoupées avec le dossier pénal.",
    "Le bénéficiaire a participé volontiers à l'évaluation.",
    "Évaluation réalisée en deux séances.",
)

OVERRIDE_REASONS: tuple[str, ...] = (
    "Situation connue de l'équipe, plus grave que ne l'indique le score.",
    "Besoin déjà pris en charge par un partenaire.",
    "Libération imminente\u00a0: à traiter en priorité.",
)

PLAN_TITLES: tuple[str, ...] = (
    "Plan d'action personnalisé",
    "Plan de préparation à la libération",
    "Plan de suivi post-carcéral",
)

PLAN_OUTCOME_NOTES: dict[str, tuple[str, ...]] = {
    "achieved": ("Objectifs atteints, libération dans de bonnes conditions.",),
    "partially_achieved": (
        "Hébergement trouvé, emploi encore à chercher.",
        "Formation terminée, démarches administratives en cours.",
    ),
    "not_achieved": ("Le bénéficiaire n'a pas donné suite aux démarches.",),
    "transferred": ("Transfert vers un autre établissement\u202f; dossier transmis.",),
    "discontinued": ("Le bénéficiaire a souhaité arrêter l'accompagnement.",),
}

SESSION_TOPICS: dict[str, tuple[str, ...]] = {
    "individual": (
        "Entretien de suivi",
        "Préparation à la libération",
        "Point sur le plan d'action",
        "Entretien d'accueil",
        "Bilan de la formation",
    ),
    "group_workshop": (
        "Atelier de recherche d'emploi",
        "Groupe de parole",
        "Atelier gestion du budget",
        "Atelier citoyenneté",
        "Atelier gestion de la colère",
    ),
    "family_visit": ("Rencontre avec la famille", "Médiation familiale au parloir"),
    "phone": ("Appel de suivi après la libération", "Appel à la famille"),
    "home_visit": ("Visite à domicile après la libération", "Visite du logement"),
}

SESSION_NOTES: tuple[str, ...] = (
    "{first} s'est présenté{e} calme et disposé{e} à échanger. Point sur les démarches en "
    "cours\u202f; prochain entretien dans deux semaines.",
    "Entretien centré sur la préparation à la libération\u00a0: hébergement en famille envisagé, "
    "à confirmer avec les proches.",
    "{first} a assisté à l'atelier et a participé activement aux échanges.",
    "La formation se déroule bien selon le formateur\u202f; assiduité régulière.",
    "Difficultés exprimées autour des relations familiales\u202f; une médiation est proposée.",
    "{first} exprime de l'inquiétude au sujet de sa libération\u202f; travail sur ses ressources.",
    "Appel de suivi\u00a0: {first} a trouvé un travail journalier, la situation reste fragile.",
    "Rendez-vous manqué\u202f; relance téléphonique prévue.",
    "Visite à domicile\u00a0: logement modeste mais stable, la famille soutient la démarche.",
    "Les démarches pour la CNIE avancent\u202f; le dossier est déposé à la commune.",
    "{first} a été orienté{e} vers l'ANAPEC\u202f; inscription faite le jour même.",
    "Bilan du plan d'action\u00a0: deux actions réalisées, une reportée au mois prochain.",
)

PSYCHOLOGIST_NOTES: tuple[str, ...] = (
    "Entretien psychologique\u00a0: humeur basse, sommeil perturbé. Suivi hebdomadaire maintenu.",
    "Évocation d'idées noires sans projet\u202f; évaluation du risque faite, risque jugé faible. "
    "Information du médecin de l'établissement.",
    "Travail sur la gestion de la colère\u202f; progrès notables depuis le dernier entretien.",
    "Anxiété importante à l'approche de la libération\u202f; techniques de relaxation proposées.",
    "Antécédents de traumatisme évoqués\u202f; à reprendre lors des prochaines séances.",
)

REFERRAL_OUTCOMES: dict[str, tuple[str, ...]] = {
    "completed": (
        "Parcours terminé, attestation remise.",
        "Embauché{e} à l'issue du stage.",
        "Prise en charge terminée.",
    ),
    "refused": ("Pas de place disponible.", "Profil ne correspondant pas aux critères."),
    "no_show": ("Ne s'est pas présenté{e} au rendez-vous.",),
    "cancelled": ("Orientation annulée\u00a0: transfert vers un autre établissement.",),
}

OUTCOME_NOTES_IN_WORK: tuple[str, ...] = (
    "Travaille comme ouvrier du bâtiment.",
    "En formation à l'OFPPT.",
    "Petit commerce ouvert avec l'appui de la Fondation.",
)

MEETING_TITLES: tuple[str, ...] = (
    "Commission de préparation à la libération",
    "Réunion de coordination avec la direction",
    "Réunion avec le juge de l'application des peines",
    "Comité provincial de protection sociale",
)

MEETING_AGENDA = "1. Situations individuelles\n2. Places en formation\n3. Libérations du trimestre"
MEETING_MINUTES = "Les situations présentées ont été examinées\u202f; décisions ci-dessous."

OUTSIDE_PARTICIPANTS: tuple[tuple[str, str], ...] = (
    ("Directeur de l'établissement", "DGAPR"),
    ("Juge de l'application des peines", "Tribunal de première instance"),
    ("Représentant de l'Entraide Nationale", "Entraide Nationale"),
    ("Chargé de programme", "Fondation Mohammed VI pour la réinsertion des détenus"),
    ("Chef du service de l'action sociale", "Province"),
)

DECISIONS: tuple[str, ...] = (
    "Préparer le dossier de libération conditionnelle.",
    "Orienter vers le CAPP dès la libération.",
    "Organiser une visite familiale avant la libération.",
    "Inscrire en priorité à la prochaine formation qualifiante.",
    "Vérifier la situation d'état civil et demander les pièces manquantes.",
    "Demander un avis médical.",
)
"""Decisions name no one: the decision is linked to the beneficiary's record, so free text
never carries a name that anonymisation of the case would miss."""

APPOINTMENT_PURPOSES: tuple[str, ...] = (
    "Entretien de suivi",
    "Préparation à la libération",
    "Point sur le plan d'action",
    "Démarches pour la CNIE",
    "Inscription à l'ANAPEC",
    "Recherche d'hébergement",
    "Bilan de la formation",
)

QUICK_NOTES: dict[str, tuple[str, ...]] = {
    "phone": (
        "Appel de {first}\u00a0: demande de nouvelles de son dossier de formation.",
        "Appel de suivi\u00a0: {first} va bien, rendez-vous confirmé.",
        "Messagerie\u00a0: message laissé pour reprogrammer l'entretien.",
    ),
    "corridor": (
        "Croisé{e} en détention\u00a0: {first} rappelle sa demande d'atelier.",
        "Échange bref avec {first} au parloir\u00a0: moral correct.",
    ),
    "family_message": (
        "La mère a appelé\u00a0: la famille peut héberger {first} à la libération.",
        "Le frère signale un changement de numéro de téléphone.",
    ),
    "partner_message": (
        "L'association confirme une place à l'atelier du mois prochain.",
        "Le centre de formation signale deux absences cette semaine.",
    ),
}
