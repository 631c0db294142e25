package web

import (
	"fmt"
	"strings"
)

// languages are the languages pages speak; French first, the default.
var languages = []string{"fr", "en"}

// otherLang is the language the switch link offers.
func otherLang(l string) string {
	if l == "en" {
		return "fr"
	}
	return "en"
}

// tr says message id in language l, formatted with args (fmt verbs). An
// unknown id says itself, so a missing wording shows on the page and in
// the locale test rather than as a blank.
func tr(l, id string, args ...any) string {
	s, ok := catalog[l][id]
	if !ok {
		s, ok = catalog["fr"][id]
	}
	if !ok {
		return id
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// kindWords says what a message kind is: "Overdue (week 3)" for the weekly
// reminders, which share one wording.
func kindWords(l, kind string) string {
	if n, ok := strings.CutPrefix(kind, "overdue-week-"); ok {
		return tr(l, "kind.overdue-week", n)
	}
	if _, ok := catalog[l]["kind."+kind]; ok {
		return tr(l, "kind."+kind)
	}
	return kind
}

// catalog holds every wording of the pages, by language and message id.
// Ids are dotted by page; TestLocaleIsComplete checks both languages have
// every id the templates and handlers use.
var catalog = map[string]map[string]string{
	"fr": {
		"sep": " : ",

		"layout.skip": "Aller au contenu", "layout.nav": "Menu principal", "layout.signed-in-as": "Connecté·e :",
		"layout.signin": "Se connecter", "layout.signout": "Se déconnecter", "layout.other-lang": "English",
		"layout.footer": "Suivi — l’accompagnement des projets de la Nuit du Code Citoyen. Logiciel libre (AGPL-3.0-or-later).",

		"nav.home": "Accueil", "nav.dashboard": "Tableau de bord", "nav.jury": "Jury", "nav.me": "Mes projets",
		"nav.board": "Projets publics", "nav.settings": "Réglages",

		"role.coordinator": "coordination", "role.mentor": "mentor", "role.holder": "porteur·se de projet",
		"role.jury": "jury", "role.funder": "financeur",

		"phase.applied": "candidature", "phase.selected": "retenu", "phase.rejected": "refusé", "phase.hackathon": "hackathon",
		"phase.demo": "démo", "phase.accompaniment": "accompagnement", "phase.graduated": "diplômé", "phase.withdrawn": "retiré",
		"phase.dormant": "en sommeil",

		"status.open": "à faire", "status.submitted": "livré, à valider", "status.completed": "validé", "status.waived": "dispensé",

		"evidence.url": "Lien du livrable", "evidence.video": "Lien de la vidéo", "evidence.repository": "Adresse du dépôt GitHub",
		"evidence-none.url": "pas encore de lien", "evidence-none.video": "pas encore de vidéo",
		"evidence-none.repository": "pas encore de dépôt", "evidence-none.none": "rien à livrer : un·e mentor valide",

		"licence.open": "ouverte", "licence.not-open": "non ouverte", "licence.unchecked": "pas encore vérifiée",
		"licence.completed-by-hand": "validée à la main", "licence.waived": "dispensée",

		"mail.pending": "en attente", "mail.sending": "en cours d’envoi", "mail.sent": "envoyé", "mail.failed": "échec",
		"mail.uncertain": "incertain", "mail.held": "gardé pour le résumé", "mail.digested": "envoyé dans le résumé",
		"mail.skipped": "non envoyé (choix de la personne)",

		"repo.new": "pas encore consulté", "repo.ok": "suivi", "repo.not_found": "introuvable (supprimé ou privé)",

		"kind.due-in-7-days": "Rappel à J−7", "kind.due-tomorrow": "Rappel la veille", "kind.due-today": "Rappel le jour J",
		"kind.overdue-week": "Retard (semaine %s)", "kind.escalate-mentors": "Alerte aux mentors",
		"kind.escalate-coordinators": "Alerte à la coordination", "kind.welcome": "Bienvenue", "kind.phase-changed": "Changement d’étape",
		"kind.meetup-invitation": "Invitation à la rencontre", "kind.licence-missing": "Licence manquante",
		"kind.repository-inactive": "Dépôt inactif", "kind.repository-inactive-mentors": "Dépôt inactif (mentors)",
		"kind.dormant": "Programme en sommeil", "kind.delivery-failed": "Message non remis", "kind.digest": "Résumé",
		"kind.funder-report": "Rapport au financeur", "kind.application-received": "Candidature reçue",
		"kind.new-application": "Nouvelle candidature", "kind.login-link": "Lien de connexion",

		"col.program": "Programme", "col.name": "Nom", "col.phase": "Étape", "col.city": "Ville", "col.started": "Début",
		"col.edition": "Édition", "col.theme": "Thème", "col.licence": "Licence", "col.overdue": "En retard",
		"col.undelivered": "Non remis", "col.activity": "Commits (12 semaines)", "col.step": "Jalon", "col.due": "Échéance",
		"col.status": "État", "col.deliverable": "Livrable", "col.actions": "Actions", "col.recipient": "Destinataire",
		"col.recipients": "Destinataires", "col.kind": "Message", "col.reason": "Raison", "col.when": "Quand",
		"col.who": "Qui", "col.what": "Quoi", "col.detail": "Détail", "col.meetup": "Rencontre", "col.recorded-by": "Noté par",
		"col.note": "Note", "col.repository": "Dépôt", "col.state": "État", "col.score": "Note du jury",
		"col.open-steps": "Jalons ouverts", "col.created": "Créé", "col.last-used": "Dernier usage",

		"home.intro":    "Suivi accompagne les projets de la Nuit du Code Citoyen après le hackathon : jalons, rencontres mensuelles, rappels.",
		"home.programs": "Programmes", "home.none": "Aucun programme pour l’instant.",
		"home.page": "Page %d.", "home.past-end": "Cette page est au-delà de la dernière.", "home.first-page": "Revenir à la première page",
		"home.start-hint": "Pour en démarrer un :", "home.what": "Ce que fait Suivi",
		"home.what.holders":      "Les porteuses et porteurs de projet reçoivent les rappels de jalons et y déposent leurs livrables (démo, vidéo, dépôt).",
		"home.what.mentors":      "Les mentors valident les jalons et notent la présence aux rencontres mensuelles de leur ville.",
		"home.what.coordinators": "La coordination de chaque ville retient les projets, nomme les mentors et suit tous les programmes.",
		"home.what.jury":         "Le jury note les démos de son édition et de sa ville le dimanche après-midi.",
		"home.what.public":       "Le public voit les projets qui l’ont choisi et peut répondre à l’appel à projets.",
		"home.signin":            "Se connecter", "home.board": "Projets publics", "home.board-all": "Voir tous les projets publics",
		"home.board-empty": "Aucun projet n’est encore public : voir la page des projets publics",
		"home.calls":       "Appels à projets", "home.no-calls": "Aucun appel à projets n’est ouvert en ce moment.",

		"board.title": "Projets publics", "board.intro": "Les projets de la Nuit du Code Citoyen dont l’équipe a choisi de se montrer ici.",
		"board.empty": "Aucun projet n’a encore choisi d’être public.", "board.code": "Code :",

		"call.title":      "Appel à projets — %s",
		"call.intro":      "Présentez votre projet jusqu’au %s inclus. La coordination de votre ville étudie chaque candidature et répond par e-mail.",
		"call.not-yet":    "L’appel à projets ouvre le %s et ferme le %s : revenez à ce moment-là.",
		"call.closed":     "L’appel à projets est fermé depuis le %s. Merci de votre intérêt : rendez-vous à la prochaine édition.",
		"call.open-until": "ouvert jusqu’au %s", "call.opens-on": "ouvre le %s",
		"call.problems": "Le formulaire contient %d erreur(s) à corriger",
		"call.project":  "Le projet", "call.team": "L’équipe", "call.choose": "— choisir —",
		"call.f.name": "Nom du projet", "call.f.summary": "Résumé", "call.f.theme": "Thème", "call.f.city": "Ville",
		"call.f.repositories": "Dépôts GitHub", "call.f.team": "Adresses e-mail de l’équipe", "call.f.licence": "Licence envisagée",
		"call.h.name":         "%d caractères au plus.",
		"call.h.summary":      "Ce que fait le projet et pour qui, en quelques phrases (%d caractères au plus).",
		"call.h.city":         "La ville où l’équipe participe au hackathon et aux rencontres mensuelles.",
		"call.h.repositories": "Un par ligne, par exemple https://github.com/organisation/projet (%d au plus).",
		"call.h.team":         "Une par ligne, la vôtre en premier (%d au plus). Chacune reçoit une confirmation.",
		"call.h.licence":      "Facultatif : un identifiant SPDX (MIT, AGPL-3.0-or-later, CECILL-2.1…) ou quelques mots.",
		"call.privacy":        "Les adresses servent au suivi du projet et ne sont jamais affichées publiquement.",
		"call.send":           "Envoyer la candidature",
		"call.err.required":   "Ce champ est obligatoire.", "call.err.long": "%d caractères au plus (il y en a %d).",
		"call.err.chars": "Ce texte contient des caractères invisibles ou de contrôle : retirez-les.",
		"call.err.theme": "Choisissez un des thèmes de l’édition.", "call.err.city": "Choisissez une des villes de l’édition.",
		"call.err.repo.none": "Donnez au moins un dépôt GitHub.", "call.err.repo.many": "%d dépôts au plus (il y en a %d).",
		"call.err.repo":       "Ligne %d : %s n’est pas l’adresse d’un dépôt GitHub (https://github.com/PROPRIÉTAIRE/DÉPÔT).",
		"call.err.email.none": "Donnez au moins une adresse e-mail : la vôtre.",
		"call.err.email.many": "%d adresses au plus (il y en a %d).",
		"call.err.email":      "Ligne %d : %s n’est pas une adresse e-mail (nom@exemple.org).",
		"call.err.other":      "Candidature refusée :",
		"call.err.window":     "L’appel à projets n’est pas ouvert : rien n’a été envoyé.",
		"call.err.rate":       "Trop de candidatures envoyées depuis votre réseau (%d par heure au plus) : réessayez dans une heure.",
		"call.err.unavailable": "Le service est momentanément indisponible : rien n’a été envoyé. Réessayez dans quelques minutes, " +
			"vos réponses sont conservées ci-dessous.",
		"call.err.name-taken": "Trop de projets portent déjà ce nom : choisissez-en un autre.",
		"call.received.title": "Candidature reçue",
		"call.received.body":  "Merci ! Votre candidature à %s est bien arrivée.",
		"call.received.next":  "Chaque adresse de l’équipe reçoit une confirmation par e-mail. La coordination de votre ville étudie la candidature et vous écrira dès qu’elle aura décidé.",
		"call.received.home":  "Retour à l’accueil",

		"dash.title": "Tableau de bord", "dash.filters": "Filtrer les programmes", "dash.all": "Tous", "dash.filter": "Filtrer",
		"dash.reset": "Tout afficher", "dash.count": "%d programme(s) sur les %d que vous suivez.", "dash.page": "Page %d sur %d.", "dash.pages": "Pages des programmes", "dash.prev": "← Page précédente", "dash.next": "Page suivante →", "dash.more": "… et %d de plus : affinez les filtres pour les voir.", "dash.programs": "Programmes",
		"dash.actions": "Actions", "dash.none": "Aucun programme ne correspond à ces filtres.",
		"dash.overdue": "Jalons en retard", "dash.no-overdue": "Aucun jalon en retard.",
		"dash.undelivered": "Messages non remis", "dash.no-undelivered": "Tous les messages sont partis.",
		"dash.planned":       "Messages des 7 prochains jours",
		"dash.planned-intro": "Rappels et alertes que les programmes enverront d’ici une semaine, à 9 h heure de leur ville (rien pendant une pause ou une mise en sommeil).",
		"dash.no-planned":    "Aucun message prévu cette semaine.", "dash.preview": "aperçu",
		"dash.planned-more": "Et %d de plus, non affichés.", "dash.nobody": "personne à prévenir",
		"dash.more-over":    "… et plus de %d autres : affinez les filtres pour les voir.",
		"dash.planned-page": "Ceux des programmes de cette page : chaque page a les siens.",

		"preview.title": "Aperçu d’un message", "preview.back": "Retour au tableau de bord", "preview.to": "Destinataire",
		"preview.language": "Langue", "preview.subject": "Objet", "preview.html": "Le message", "preview.text": "Version texte",
		"preview.frame":            "Aperçu du message tel que le verra son destinataire",
		"preview.held-digest":      "Cette personne a choisi un résumé hebdomadaire : ce rappel y sera regroupé plutôt qu’envoyé seul.",
		"preview.held-escalations": "Cette personne ne reçoit que les alertes importantes : ce rappel ne lui sera pas envoyé.",
		"preview.prefs-note":       "Le vrai message se termine par un lien personnel pour choisir les messages reçus ; l’aperçu ne le montre pas.",

		"program.phase": "Étape", "program.paused": "en pause", "program.your-roles": "Votre rôle",
		"program.holders": "Porteurs", "program.mentors": "Mentors", "program.no-mentor": "aucun pour l’instant",
		"program.licence-intent": "Licence envisagée", "program.score": "Note du jury", "program.board": "Page publique",
		"program.board-on": "le projet est visible sur la page des projets publics", "program.board-off": "le projet n’est pas public",
		"program.phases": "Étapes du programme", "program.no-timeline": "Aucune étape enregistrée pour l’instant.",
		"program.steps": "Jalons", "program.no-steps": "Ce programme n’a pas de jalon.", "program.optional": "facultatif",
		"program.overdue": "en retard", "program.coordination": "Coordination", "program.jury": "Note du jury",
		"program.activity": "Activité GitHub", "program.commits-weekly": "Commits par semaine :",
		"program.not-polled": "Les dépôts n’ont pas encore été consultés.",
		"program.licence":    "Licence", "program.licence-status": "Conformité",
		"program.repo-pending": "pas encore consulté", "program.archived": "archivé",
		"program.meetups": "Rencontres mensuelles", "program.no-attendance": "Aucune présence notée pour l’instant.",
		"program.emails": "Messages", "program.undelivered": "Messages non remis", "program.outbox": "Messages envoyés et à venir",
		"program.no-emails": "Aucun message pour l’instant.", "program.more": "%d plus anciens non affichés.",
		"program.emails-staff": "Les messages du programme sont visibles par sa coordination, ses mentors et ses porteurs.",
		"program.audit":        "Journal", "program.no-audit": "Le journal est vide.",

		"metric.commits": "Commits (%d jours)", "metric.per-week": "%.1f par semaine", "metric.contributors": "Contributeurs actifs",
		"metric.new": "%d nouveaux", "metric.bus": "Facteur d’autobus", "metric.prs": "Pull requests fermées / ouvertes",
		"metric.response": "Délai médian de première réponse", "metric.hours": "%.0f h", "metric.releases": "Versions par 30 jours",
		"metric.maintained": "Maintenance (Scorecard)", "metric.young": "dépôt trop récent pour juger",
		"metric.last-commit": "Dernier commit",
		"spark.label":        "Commits par semaine sur 12 semaines : %s", "spark.total": "%d en 12 semaines",

		"form.submit": "Déposer", "form.resubmit": "Remplacer", "form.note-optional": "Note (facultatif)",
		"form.complete": "Valider", "form.waive-why": "Raison de la dispense", "form.waive": "Dispenser",
		"form.new-due": "Nouvelle échéance", "form.extend": "Repousser", "form.select": "Retenir",
		"form.reject-why": "Raison (facultatif)", "form.reject": "Refuser", "form.mentor-email": "E-mail du mentor",
		"form.assign": "Nommer", "form.mentor-remove": "Mentor à retirer", "form.remove": "Retirer",
		"form.holder-email": "E-mail du porteur", "form.add": "Ajouter", "form.holder-remove": "Porteur à retirer",
		"form.step": "Jalon", "form.pause": "Mettre en pause", "form.resume": "Reprendre", "form.graduate": "Diplômer",
		"form.withdraw-why": "Raison du retrait", "form.withdraw-confirm": "Je confirme le retrait du programme",
		"form.withdraw": "Retirer le programme", "form.score-legend": "Noter la démo", "form.score": "Note sur 20",
		"form.score-hint": "Un nombre entier de 0 à 20.", "form.comment": "Commentaire (facultatif)",
		"form.score-save": "Enregistrer la note", "form.meetup": "Rencontre du mois", "form.attend-note": "Note (facultatif)",
		"form.attend": "Noter la présence", "form.public": "Montrer ce projet sur la page des projets publics",
		"form.save": "Enregistrer",

		"flash.failed": "Rien n’a été fait :", "flash.saved": "C’est enregistré.", "flash.token-revoked": "Le jeton est révoqué.",
		"flash.feed-revoked": "Le calendrier privé est supprimé : son adresse ne fonctionne plus.",
		"flash.done.select":  "Le programme est retenu.", "flash.done.reject": "Le programme est refusé.",
		"flash.done.submit": "Le livrable est déposé.", "flash.done.complete": "Le jalon est validé.",
		"flash.done.waive": "Le jalon est dispensé.", "flash.done.score": "La note est enregistrée.",
		"flash.done.assign-mentor": "Le mentor est nommé.", "flash.done.remove-mentor": "Le mentor est retiré.",
		"flash.done.extend": "L’échéance est repoussée.", "flash.done.pause": "Le programme est en pause.",
		"flash.done.resume": "Le programme reprend.", "flash.done.withdraw": "Le programme est retiré.",
		"flash.done.graduate": "Le programme est diplômé.", "flash.done.attend": "La présence est notée.",
		"flash.done.add-holder": "Le porteur est ajouté.", "flash.done.remove-holder": "Le porteur est retiré.",
		"flash.done.public-on": "Le projet est maintenant sur la page des projets publics.",
		"flash.done.fund":      "%s finance maintenant ce projet.", "flash.done.funder": "Financeur %s ajouté ; son rapport mensuel part le premier jour ouvré de chaque mois.",
		"funders.title": "Financeurs", "funders.none": "Aucun financeur pour l’instant.", "funders.add": "Ajouter un financeur",
		"funders.slug": "Identifiant (minuscules, chiffres, tirets)", "funders.name": "Nom", "funders.lang": "Langue du rapport",
		"funders.contacts": "Contacts qui reçoivent le rapport (une adresse par ligne)", "funders.programs": "Projets financés",
		"program.funders": "Financeurs", "program.fund": "Ajouter un financeur", "program.fund-button": "Financer",
		"nav.funders":          "Financeurs",
		"funders.contacts-col": "Contacts",
		"dash.reports":         "Rapports mensuels",
		"unsub.title":          "Ne plus recevoir les rappels", "unsub.for": "Pour l’adresse",
		"unsub.what":   "Vous ne recevrez plus les rappels d’échéance, les invitations aux rencontres ni leur résumé ; les alertes importantes (jalon très en retard, message non distribué) continuent. Rien n’a encore changé.",
		"unsub.button": "Ne plus recevoir les rappels", "unsub.other": "Ou choisissez ce que vous recevez",
		"flash.done.public-off": "Le projet n’est plus sur la page des projets publics.",

		"jury.title": "Jury", "jury.seats": "Vous êtes du jury de", "jury.demos": "Démos à noter",
		"jury.intro":    "Vous voyez les projets retenus de votre édition et de votre ville ; vous notez pendant la phase de démo.",
		"jury.no-demos": "Aucune démo à noter pour l’instant.", "jury.current": "Note actuelle",
		"jury.cannot-score": "La note n’est pas possible pour ce projet en ce moment.",
		"jury.others":       "Les autres projets de votre ville", "jury.no-others": "Aucun autre projet.",

		"me.title": "Mes projets", "me.none": "Aucun projet ne vous est confié pour l’instant.",
		"me.holder": "Les projets que je porte", "me.mentor": "Les projets que j’accompagne", "me.funder": "Les projets que nous finançons",
		"me.nothing-open": "Aucun jalon ouvert.", "me.attendance": "Présence aux rencontres", "me.email": "Mes messages",
		"me.funder-note": "Lecture seule ; un rapport mensuel vous est envoyé.",
		"funder.reports": "Rapports mensuels", "me.reports": "Rapports mensuels de %s",

		"settings.title": "Réglages", "settings.email": "Messages reçus",
		"settings.email-intro":  "La langue et le rythme des e-mails que Suivi vous envoie.",
		"settings.tokens":       "Jetons d’API",
		"settings.tokens-intro": "Pour la ligne de commande ou un script : un jeton agit en votre nom. Révoquez ceux qui ne servent plus.",
		"settings.token-made":   "Jeton « %s » créé.", "settings.token-secret": "Le jeton",
		"settings.token-once": "Copiez-le maintenant : il ne sera plus jamais affiché.",
		"settings.no-tokens":  "Vous n’avez aucun jeton.", "settings.token-live": "actif", "settings.token-revoked": "révoqué le %s",
		"settings.revoke": "Révoquer", "settings.token-name": "Nom du nouveau jeton",
		"settings.token-name-hint": "Pour vous y retrouver, par exemple « ordinateur portable » (80 caractères au plus).",
		"settings.token-create":    "Créer un jeton",
		"settings.tokens.full":     "Vous avez déjà %d jetons actifs, le maximum : révoquez-en un d’abord.",
		"settings.calendar":        "Calendrier privé",
		"settings.calendar-intro":  "Une adresse à ajouter à votre agenda : les échéances de vos projets et les prochaines rencontres de vos villes. Qui la connaît voit ces dates : gardez-la pour vous.",
		"settings.feed-url":        "Adresse du calendrier", "settings.feed-once": "Copiez-la maintenant : elle ne sera plus affichée. En créer une autre rend celle-ci inutilisable.",
		"settings.feed-on": "Vous avez un calendrier privé.", "settings.feed-off": "Vous n’avez pas de calendrier privé.",
		"settings.feed-create": "Créer l’adresse du calendrier", "settings.feed-rotate": "Remplacer l’adresse (l’ancienne cesse de fonctionner)",
		"settings.feed-revoke": "Supprimer le calendrier", "settings.sessions": "Sessions",
		"settings.sessions-intro":     "Un ordinateur perdu ? Déconnectez tous les navigateurs où vous êtes connecté·e, celui-ci compris.",
		"settings.signout-everywhere": "Se déconnecter partout",

		"prefs.title": "Vos messages", "prefs.for": "Pour", "prefs.reminders": "Rappels", "prefs.all": "Tous les rappels",
		"prefs.digest": "Un résumé par semaine", "prefs.escalations": "Seulement les alertes importantes", "prefs.language": "Langue",
		"prefs.save": "Enregistrer", "prefs.saved": "C’est enregistré.",

		"feed.name": "Suivi — mes échéances et rencontres",
	},
	"en": {
		"sep": ": ",

		"layout.skip": "Skip to content", "layout.nav": "Main menu", "layout.signed-in-as": "Signed in as",
		"layout.signin": "Sign in", "layout.signout": "Sign out", "layout.other-lang": "Français",
		"layout.footer": "Suivi — the follow-up of La Nuit du Code Citoyen's projects. Free software (AGPL-3.0-or-later).",

		"nav.home": "Home", "nav.dashboard": "Dashboard", "nav.jury": "Jury", "nav.me": "My projects",
		"nav.board": "Public projects", "nav.settings": "Settings",

		"role.coordinator": "coordinator", "role.mentor": "mentor", "role.holder": "project holder",
		"role.jury": "jury", "role.funder": "funder",

		"phase.applied": "applied", "phase.selected": "selected", "phase.rejected": "rejected", "phase.hackathon": "hackathon",
		"phase.demo": "demo", "phase.accompaniment": "accompaniment", "phase.graduated": "graduated", "phase.withdrawn": "withdrawn",
		"phase.dormant": "dormant",

		"status.open": "to do", "status.submitted": "submitted, to review", "status.completed": "completed", "status.waived": "waived",

		"evidence.url": "Deliverable link", "evidence.video": "Video link", "evidence.repository": "GitHub repository address",
		"evidence-none.url": "no link yet", "evidence-none.video": "no video yet",
		"evidence-none.repository": "no repository yet", "evidence-none.none": "nothing to hand in: a mentor checks it",

		"licence.open": "open", "licence.not-open": "not open", "licence.unchecked": "not checked yet",
		"licence.completed-by-hand": "completed by hand", "licence.waived": "waived",

		"mail.pending": "pending", "mail.sending": "sending", "mail.sent": "sent", "mail.failed": "failed",
		"mail.uncertain": "uncertain", "mail.held": "held for the digest", "mail.digested": "sent in the digest",
		"mail.skipped": "not sent (the person's choice)",

		"repo.new": "not polled yet", "repo.ok": "watched", "repo.not_found": "not found (deleted or private)",

		"kind.due-in-7-days": "Reminder, 7 days before", "kind.due-tomorrow": "Reminder, the day before", "kind.due-today": "Reminder, on the day",
		"kind.overdue-week": "Overdue (week %s)", "kind.escalate-mentors": "Alert to the mentors",
		"kind.escalate-coordinators": "Alert to the coordinators", "kind.welcome": "Welcome", "kind.phase-changed": "Phase changed",
		"kind.meetup-invitation": "Meetup invitation", "kind.licence-missing": "Licence missing",
		"kind.repository-inactive": "Inactive repository", "kind.repository-inactive-mentors": "Inactive repository (mentors)",
		"kind.dormant": "Program dormant", "kind.delivery-failed": "Undelivered message", "kind.digest": "Digest",
		"kind.funder-report": "Funder report", "kind.application-received": "Application received",
		"kind.new-application": "New application", "kind.login-link": "Sign-in link",

		"col.program": "Program", "col.name": "Name", "col.phase": "Phase", "col.city": "City", "col.started": "Started",
		"col.edition": "Edition", "col.theme": "Theme", "col.licence": "Licence", "col.overdue": "Overdue",
		"col.undelivered": "Undelivered", "col.activity": "Commits (12 weeks)", "col.step": "Milestone", "col.due": "Due",
		"col.status": "Status", "col.deliverable": "Deliverable", "col.actions": "Actions", "col.recipient": "Recipient",
		"col.recipients": "Recipients", "col.kind": "Message", "col.reason": "Reason", "col.when": "When",
		"col.who": "Who", "col.what": "What", "col.detail": "Detail", "col.meetup": "Meetup", "col.recorded-by": "Recorded by",
		"col.note": "Note", "col.repository": "Repository", "col.state": "State", "col.score": "Jury score",
		"col.open-steps": "Open milestones", "col.created": "Created", "col.last-used": "Last used",

		"home.intro":    "Suivi keeps accompanying the projects of La Nuit du Code Citoyen after the hackathon: milestones, monthly meetups, reminders.",
		"home.programs": "Programs", "home.none": "No programs yet.",
		"home.page": "Page %d.", "home.past-end": "This page is past the last one.", "home.first-page": "Back to the first page",
		"home.start-hint": "To start one:", "home.what": "What Suivi does",
		"home.what.holders":      "Project holders get milestone reminders and hand in their deliverables (demo, video, repository).",
		"home.what.mentors":      "Mentors complete milestones and record attendance at their city's monthly meetups.",
		"home.what.coordinators": "Each city's coordinators select projects, assign mentors and watch every program.",
		"home.what.jury":         "The jury scores the demos of its edition and city on Sunday afternoon.",
		"home.what.public":       "The public sees the projects that chose to be shown and can answer the call for projects.",
		"home.signin":            "Sign in", "home.board": "Public projects", "home.board-all": "See every public project",
		"home.board-empty": "No project is public yet: see the public projects page",
		"home.calls":       "Calls for projects", "home.no-calls": "No call for projects is open right now.",

		"board.title": "Public projects", "board.intro": "The projects of La Nuit du Code Citoyen whose team chose to be shown here.",
		"board.empty": "No project has chosen to be public yet.", "board.code": "Code:",

		"call.title":      "Call for projects — %s",
		"call.intro":      "Applications are open until %s, that day included. Your city's coordinators review every application and answer by email.",
		"call.not-yet":    "The call for projects opens on %s and closes on %s: come back then.",
		"call.closed":     "The call for projects closed on %s. Thank you for your interest: see you at the next edition.",
		"call.open-until": "open until %s", "call.opens-on": "opens on %s",
		"call.problems": "The form has %d problem(s) to fix",
		"call.project":  "The project", "call.team": "The team", "call.choose": "— choose —",
		"call.f.name": "Project name", "call.f.summary": "Summary", "call.f.theme": "Theme", "call.f.city": "City",
		"call.f.repositories": "GitHub repositories", "call.f.team": "The team's email addresses", "call.f.licence": "Intended licence",
		"call.h.name":         "At most %d characters.",
		"call.h.summary":      "What the project does and for whom, in a few sentences (at most %d characters).",
		"call.h.city":         "The city where the team takes part in the hackathon and the monthly meetups.",
		"call.h.repositories": "One per line, such as https://github.com/organisation/project (at most %d).",
		"call.h.team":         "One per line, yours first (at most %d). Each gets a confirmation.",
		"call.h.licence":      "Optional: an SPDX identifier (MIT, AGPL-3.0-or-later, CECILL-2.1…) or a few words.",
		"call.privacy":        "Addresses are used to follow the project and are never shown publicly.",
		"call.send":           "Send the application",
		"call.err.required":   "This field is required.", "call.err.long": "At most %d characters (there are %d).",
		"call.err.chars": "This text holds invisible or control characters: remove them.",
		"call.err.theme": "Choose one of the edition's themes.", "call.err.city": "Choose one of the edition's cities.",
		"call.err.repo.none": "Give at least one GitHub repository.", "call.err.repo.many": "At most %d repositories (there are %d).",
		"call.err.repo":       "Line %d: %s is not the address of a GitHub repository (https://github.com/OWNER/REPO).",
		"call.err.email.none": "Give at least one email address: yours.",
		"call.err.email.many": "At most %d addresses (there are %d).",
		"call.err.email":      "Line %d: %s is not an email address (name@example.org).",
		"call.err.other":      "Application refused:",
		"call.err.window":     "The call for projects is not open: nothing was sent.",
		"call.err.rate":       "Too many applications from your network (at most %d an hour): try again in an hour.",
		"call.err.unavailable": "The service is unavailable for a moment: nothing was sent. Try again in a few minutes; " +
			"your answers are kept below.",
		"call.err.name-taken": "Too many projects already have this name: choose another one.",
		"call.received.title": "Application received",
		"call.received.body":  "Thank you! Your application to %s has arrived.",
		"call.received.next":  "Every address of the team gets a confirmation by email. Your city's coordinators will review the application and write to you once they have decided.",
		"call.received.home":  "Back to the home page",

		"dash.title": "Dashboard", "dash.filters": "Filter the programs", "dash.all": "All", "dash.filter": "Filter",
		"dash.reset": "Show everything", "dash.count": "%d program(s) of the %d you follow.", "dash.page": "Page %d of %d.", "dash.pages": "Program pages", "dash.prev": "← Previous page", "dash.next": "Next page →", "dash.more": "… and %d more: narrow the filters to see them.", "dash.programs": "Programs",
		"dash.actions": "Actions", "dash.none": "No program matches these filters.",
		"dash.overdue": "Overdue milestones", "dash.no-overdue": "No milestone is overdue.",
		"dash.undelivered": "Undelivered emails", "dash.no-undelivered": "Every email went out.",
		"dash.planned":       "Emails of the next 7 days",
		"dash.planned-intro": "Reminders and alerts the programs will send within a week, at 09:00 in their city (none while paused or dormant).",
		"dash.no-planned":    "No email planned this week.", "dash.preview": "preview",
		"dash.planned-more": "And %d more, not shown.", "dash.nobody": "nobody to tell",
		"dash.more-over":    "… and over %d more: narrow the filters to see them.",
		"dash.planned-page": "Those of the programs on this page: each page lists its own.",

		"preview.title": "Email preview", "preview.back": "Back to the dashboard", "preview.to": "Recipient",
		"preview.language": "Language", "preview.subject": "Subject", "preview.html": "The email", "preview.text": "Text version",
		"preview.frame":            "Preview of the email as its recipient will see it",
		"preview.held-digest":      "This person chose a weekly digest: this reminder will be part of it rather than sent alone.",
		"preview.held-escalations": "This person gets important alerts only: this reminder will not be sent to them.",
		"preview.prefs-note":       "The real email ends with a personal link to choose which emails one gets; the preview leaves it out.",

		"program.phase": "Phase", "program.paused": "paused", "program.your-roles": "Your role",
		"program.holders": "Holders", "program.mentors": "Mentors", "program.no-mentor": "none yet",
		"program.licence-intent": "Intended licence", "program.score": "Jury score", "program.board": "Public board",
		"program.board-on": "the project is shown on the public projects page", "program.board-off": "the project is not public",
		"program.phases": "Phases of the program", "program.no-timeline": "No phase recorded yet.",
		"program.steps": "Milestones", "program.no-steps": "This program has no milestone.", "program.optional": "optional",
		"program.overdue": "overdue", "program.coordination": "Coordination", "program.jury": "Jury score",
		"program.activity": "GitHub activity", "program.commits-weekly": "Commits per week:",
		"program.not-polled": "The repositories have not been polled yet.",
		"program.licence":    "Licence", "program.licence-status": "Compliance",
		"program.repo-pending": "not polled yet", "program.archived": "archived",
		"program.meetups": "Monthly meetups", "program.no-attendance": "No attendance recorded yet.",
		"program.emails": "Emails", "program.undelivered": "Undelivered emails", "program.outbox": "Emails sent and to come",
		"program.no-emails": "No email yet.", "program.more": "%d older ones not shown.",
		"program.emails-staff": "The program's emails are shown to its coordinators, mentors and holders.",
		"program.audit":        "Audit log", "program.no-audit": "The audit log is empty.",

		"metric.commits": "Commits (%d days)", "metric.per-week": "%.1f a week", "metric.contributors": "Active contributors",
		"metric.new": "%d new", "metric.bus": "Bus factor", "metric.prs": "Pull requests closed / opened",
		"metric.response": "Median time to first response", "metric.hours": "%.0f h", "metric.releases": "Releases per 30 days",
		"metric.maintained": "Maintained (Scorecard)", "metric.young": "repository too young to tell",
		"metric.last-commit": "Last commit",
		"spark.label":        "Commits per week over 12 weeks: %s", "spark.total": "%d in 12 weeks",

		"form.submit": "Hand in", "form.resubmit": "Replace", "form.note-optional": "Note (optional)",
		"form.complete": "Complete", "form.waive-why": "Why it is waived", "form.waive": "Waive",
		"form.new-due": "New due date", "form.extend": "Extend", "form.select": "Select",
		"form.reject-why": "Reason (optional)", "form.reject": "Reject", "form.mentor-email": "Mentor's email",
		"form.assign": "Assign", "form.mentor-remove": "Mentor to remove", "form.remove": "Remove",
		"form.holder-email": "Holder's email", "form.add": "Add", "form.holder-remove": "Holder to remove",
		"form.step": "Milestone", "form.pause": "Pause", "form.resume": "Resume", "form.graduate": "Graduate",
		"form.withdraw-why": "Why it is withdrawn", "form.withdraw-confirm": "I confirm the program's withdrawal",
		"form.withdraw": "Withdraw the program", "form.score-legend": "Score the demo", "form.score": "Score out of 20",
		"form.score-hint": "A whole number from 0 to 20.", "form.comment": "Comment (optional)",
		"form.score-save": "Save the score", "form.meetup": "Month's meetup", "form.attend-note": "Note (optional)",
		"form.attend": "Record attendance", "form.public": "Show this project on the public projects page",
		"form.save": "Save",

		"flash.failed": "Nothing was done:", "flash.saved": "Saved.", "flash.token-revoked": "The token is revoked.",
		"flash.feed-revoked": "The private calendar is deleted: its address no longer works.",
		"flash.done.select":  "The program is selected.", "flash.done.reject": "The program is rejected.",
		"flash.done.submit": "The deliverable is handed in.", "flash.done.complete": "The milestone is completed.",
		"flash.done.waive": "The milestone is waived.", "flash.done.score": "The score is saved.",
		"flash.done.assign-mentor": "The mentor is assigned.", "flash.done.remove-mentor": "The mentor is removed.",
		"flash.done.extend": "The due date is moved.", "flash.done.pause": "The program is paused.",
		"flash.done.resume": "The program resumes.", "flash.done.withdraw": "The program is withdrawn.",
		"flash.done.graduate": "The program graduated.", "flash.done.attend": "Attendance is recorded.",
		"flash.done.add-holder": "The holder is added.", "flash.done.remove-holder": "The holder is removed.",
		"flash.done.public-on": "The project is now on the public projects page.",
		"flash.done.fund":      "%s now funds this project.", "flash.done.funder": "Funder %s added; its monthly report goes out on the first working day of each month.",
		"funders.title": "Funders", "funders.none": "No funder yet.", "funders.add": "Add a funder",
		"funders.slug": "Identifier (lowercase, digits, hyphens)", "funders.name": "Name", "funders.lang": "Report language",
		"funders.contacts": "Contacts who receive the report (one address per line)", "funders.programs": "Programs funded",
		"program.funders": "Funders", "program.fund": "Add a funder", "program.fund-button": "Fund",
		"nav.funders":          "Funders",
		"funders.contacts-col": "Contacts",
		"dash.reports":         "Monthly reports",
		"unsub.title":          "Stop receiving reminders", "unsub.for": "For the address",
		"unsub.what":   "You will no longer receive due-date reminders, meetup invitations or their digest; important alerts (a step long overdue, an undelivered message) still come. Nothing has changed yet.",
		"unsub.button": "Stop the reminders", "unsub.other": "Or choose what you receive",
		"flash.done.public-off": "The project is no longer on the public projects page.",

		"jury.title": "Jury", "jury.seats": "You sit on the jury of", "jury.demos": "Demos to score",
		"jury.intro":    "You see the selected projects of your edition and city; you score during the demo phase.",
		"jury.no-demos": "No demo to score for now.", "jury.current": "Current score",
		"jury.cannot-score": "Scoring this project is not possible right now.",
		"jury.others":       "The other projects of your city", "jury.no-others": "No other project.",

		"me.title": "My projects", "me.none": "No project is in your hands yet.",
		"me.holder": "The projects I hold", "me.mentor": "The projects I mentor", "me.funder": "The projects we fund",
		"me.nothing-open": "No open milestone.", "me.attendance": "Meetup attendance", "me.email": "My emails",
		"me.funder-note": "Read only; a monthly report is sent to you.",
		"funder.reports": "Monthly reports", "me.reports": "Monthly reports of %s",

		"settings.title": "Settings", "settings.email": "Emails",
		"settings.email-intro":  "The language and pace of the emails Suivi sends you.",
		"settings.tokens":       "API tokens",
		"settings.tokens-intro": "For the command line or a script: a token acts in your name. Revoke the ones you no longer use.",
		"settings.token-made":   "Token \"%s\" created.", "settings.token-secret": "The token",
		"settings.token-once": "Copy it now: it will never be shown again.",
		"settings.no-tokens":  "You have no token.", "settings.token-live": "live", "settings.token-revoked": "revoked on %s",
		"settings.revoke": "Revoke", "settings.token-name": "Name of the new token",
		"settings.token-name-hint": "To tell them apart, such as \"laptop\" (at most 80 characters).",
		"settings.token-create":    "Create a token",
		"settings.tokens.full":     "You already have %d live tokens, the most one may have: revoke one first.",
		"settings.calendar":        "Private calendar",
		"settings.calendar-intro":  "An address to add to your calendar app: your projects' due dates and your cities' next meetups. Whoever knows it sees these dates: keep it to yourself.",
		"settings.feed-url":        "Calendar address", "settings.feed-once": "Copy it now: it will not be shown again. Making another one stops this one.",
		"settings.feed-on": "You have a private calendar.", "settings.feed-off": "You have no private calendar.",
		"settings.feed-create": "Create the calendar address", "settings.feed-rotate": "Replace the address (the old one stops working)",
		"settings.feed-revoke": "Delete the calendar", "settings.sessions": "Sessions",
		"settings.sessions-intro":     "Lost a computer? Sign out of every browser where you are signed in, this one included.",
		"settings.signout-everywhere": "Sign out everywhere",

		"prefs.title": "Your messages", "prefs.for": "For", "prefs.reminders": "Reminders", "prefs.all": "Every reminder",
		"prefs.digest": "A weekly digest", "prefs.escalations": "Only important alerts", "prefs.language": "Language",
		"prefs.save": "Save", "prefs.saved": "Saved.",

		"feed.name": "Suivi — my due dates and meetups",
	},
}
