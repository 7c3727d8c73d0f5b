"""Closed sets of boilerplate phrases in twelve languages, the vocabulary of the rules in ``rules.py``.

Each table maps a language code to regex fragments (lower case). A rule joins a table with
:func:`any_phrase` and anchors it (whole line, or line start), so an article sentence that
merely contains a phrase is not matched. Adding a language means adding a key to each table;
``tests/test_lang.py`` checks that the main tables cover ``LANGUAGES``.
"""

# ruff: noqa: E501  (one phrase list per line where it fits)
from __future__ import annotations


def any_phrase(table: dict[str, tuple[str, ...]]) -> str:
    """One regex alternation of every language's phrases (lower case, regex syntax).

    >>> any_phrase({"en": ("skip",), "de": ("zum inhalt", "weiter")})
    '(?:skip|zum inhalt|weiter)'

    An apostrophe in a phrase matches both ' and ’.
    """
    return "(?:" + "|".join(p.replace("'", "['’]") for phrases in table.values() for p in phrases) + ")"


LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "uk", "ru", "sv", "tr")  # each closed set covers these

# Closed sets, one entry per language. Phrases are lower case regex fragments matched as whole lines
# (or line starts) by the rules below; adding a language means adding a key to each table.
SKIP_LINKS: dict[str, tuple[str, ...]] = {
    "en": (r"skip to (the )?(main )?(content|navigation|search|footer|menu)", r"jump to (main )?(content|navigation)"),
    "de": (
        r"(direkt |weiter |springe )?zum (haupt)?inhalt( springen| wechseln)?",
        r"zur (haupt)?navigation( springen)?",
        r"zur suche",
    ),
    "fr": (
        r"(aller|passer|accéder) (directement )?(au|à la) (contenu|navigation|menu|recherche)( principal(e)?)?",
        r"retour en haut( de (la )?page)?",
    ),
    "es": (
        r"(ir|saltar|pasar) (directamente )?al (contenido|menú)( principal)?",
        r"saltar a la navegación",
        r"volver (arriba|al inicio)",
    ),
    "it": (r"(vai|salta|passa) (direttamente )?al (contenuto|menu)( principale)?", r"torna (su|in alto|all'inizio)"),
    "pt": (r"(ir|pular|saltar|avançar) (direto )?para o (conteúdo|menu)( principal)?", r"voltar (ao|para o) topo"),
    "nl": (
        r"(ga |direct )?naar (de )?(hoofd)?(inhoud|navigatie)( gaan)?",
        r"overslaan en naar de inhoud gaan",
        r"terug naar (boven|de top)",
    ),
    "pl": (r"przejdź (od razu )?do (głównej )?(treści|zawartości|nawigacji|menu)", r"(wróć|powrót) na górę"),
    "uk": (r"перейти до (основного )?(вмісту|змісту|контенту|навігації)", r"(повернутися )?нагору"),
    "ru": (r"перейти к (основному )?(содержанию|содержимому|контенту|навигации)", r"(вернуться )?наверх"),
    "sv": (r"(hoppa|gå) (direkt )?till (huvud)?(innehåll(et)?|navigering(en)?|menyn)", r"till toppen"),
    "tr": (r"(ana )?içeriğe (geç|atla|git)", r"(ana )?menüye (geç|atla)", r"başa dön"),
}
SITE_CONTROLS: dict[str, tuple[str, ...]] = {  # whole-line menu, search, home and article-paging links
    "en": (
        r"home( ?page)?",
        r"next article",
        r"previous article",
        r"back to top",
        r"main menu",
        r"menu",
        r"search",
        r"log ?in",
        r"sign in",
        "back to (the )?home( ?page)?",
    ),
    "de": (
        r"startseite",
        r"zur startseite",
        r"nächster artikel",
        r"vorheriger artikel",
        r"menü",
        r"suche",
        r"anmelden",
        r"einloggen",
        "zurück zur startseite",
    ),
    "fr": (
        r"accueil",
        r"article suivant",
        r"article précédent",
        r"menu",
        r"rechercher",
        r"recherche",
        r"se connecter",
        r"connexion",
        "retour à l'accueil",
    ),
    "es": (
        r"inicio",
        r"portada",
        r"artículo siguiente",
        r"artículo anterior",
        r"siguiente artículo",
        r"menú",
        r"buscar",
        r"iniciar sesión",
        "volver a la portada",
        "volver al inicio",
    ),
    "it": (
        r"home ?page",
        r"articolo successivo",
        r"articolo precedente",
        r"cerca",
        r"accedi",
        "torna alla home( ?page)?",
    ),
    "pt": (
        r"início",
        r"página inicial",
        r"próximo artigo",
        r"artigo anterior",
        r"pesquisar",
        r"buscar",
        r"entrar",
        "voltar (para|à) (a )?página inicial",
    ),
    "nl": (
        r"home",
        r"voorpagina",
        r"volgend artikel",
        r"vorig artikel",
        r"zoeken",
        r"inloggen",
        "terug naar (home|de homepage|de voorpagina)",
    ),
    "pl": (
        r"strona główna",
        r"następny artykuł",
        r"poprzedni artykuł",
        r"szukaj",
        r"wyszukaj",
        r"zaloguj( się)?",
        "powrót do strony głównej",
    ),
    "uk": (
        r"головна",
        r"на головну",
        r"наступна стаття",
        r"попередня стаття",
        r"меню",
        r"пошук",
        r"увійти",
        "повернутися на головну",
    ),
    "ru": (
        r"главная",
        r"на главную",
        r"следующая статья",
        r"предыдущая статья",
        r"меню",
        r"поиск",
        r"войти",
        "вернуться на главную",
    ),
    "sv": (
        r"startsida",
        r"till startsidan",
        r"nästa artikel",
        r"föregående artikel",
        r"meny",
        r"sök",
        r"logga in",
        "tillbaka till startsidan",
    ),
    "tr": (
        r"ana ?sayfa",
        r"sonraki (haber|makale)",
        r"önceki (haber|makale)",
        r"menü",
        r"ara",
        r"giriş yap",
        "ana sayfaya dön",
    ),
}
SECTION_LABELS: dict[str, tuple[str, ...]] = {  # a section name alone on a line above or below a story
    "en": (
        "news",
        "world",
        "politics",
        "business",
        "opinion",
        "sports?",
        "culture",
        "technology",
        "science",
        "health",
        "economy",
        "local news",
    ),
    "de": (
        "nachrichten",
        "politik",
        "wirtschaft",
        "ausland",
        "inland",
        "meinung",
        "kultur",
        "panorama",
        "wissen",
        "regional",
        "deutschland",
    ),
    "fr": (
        "actualités?",
        "politique",
        "économie",
        "international",
        "monde",
        "société",
        "idées",
        "opinions?",
        "france",
        "régions?",
    ),
    "es": (
        "noticias",
        "política",
        "economía",
        "internacional",
        "opinión",
        "deportes",
        "sociedad",
        "mundo",
        "españa",
        "méxico",
        "américa latina",
    ),
    "it": ("notizie", "politica", "economia", "esteri", "cronaca", "opinioni", "attualità", "mondo", "italia"),
    "pt": (
        "notícias",
        "política",
        "economia",
        "mundo",
        "internacional",
        "opinião",
        "esportes?",
        "desporto",
        "sociedade",
        "brasil",
        "portugal",
    ),
    "nl": ("nieuws", "politiek", "economie", "buitenland", "binnenland", "opinie", "cultuur", "nederland", "regio"),
    "pl": ("wiadomości", "polityka", "gospodarka", "świat", "kraj", "opinie", "kultura", "biznes", "polska"),
    "uk": (
        "новини",
        "політика",
        "економіка",
        "світ",
        "суспільство",
        "культура",
        "спорт",
        "думки",
        "україна",
        "регіони",
    ),
    "ru": (
        "новости",
        "политика",
        "экономика",
        "в мире",
        "общество",
        "культура",
        "спорт",
        "мнения",
        "россия",
        "регионы",
    ),
    "sv": ("nyheter", "politik", "ekonomi", "utrikes", "inrikes", "kultur", "debatt", "ledare", "sverige"),
    "tr": ("haberler", "gündem", "siyaset", "ekonomi", "dünya", "spor", "kültür", "yaşam", "politika", "türkiye"),
}
AD_LABELS: dict[str, tuple[str, ...]] = {  # the label of an ad slot
    "en": ("advertisement", "advertising", "sponsored( content)?", "paid content", "ad"),
    "de": ("anzeige", "werbung", "gesponsert"),
    "fr": ("publicité", "contenu sponsorisé", "sponsorisé"),
    "es": ("publicidad", "contenido patrocinado", "patrocinado"),
    "it": ("pubblicità", "contenuto sponsorizzato", "sponsorizzato"),
    "pt": ("publicidade", "conteúdo patrocinado", "patrocinado"),
    "nl": ("advertentie", "gesponsord"),
    "pl": ("reklama", "materiał sponsorowany", "sponsorowane"),
    "uk": ("реклама", "партнерський матеріал", "на правах реклами"),
    "ru": ("реклама", "партнерский материал", "на правах рекламы"),
    "sv": ("annons", "sponsrat( innehåll)?"),
    "tr": ("reklam", "sponsorlu( içerik)?"),
}
ACCEPT_ALL: dict[str, tuple[str, ...]] = {  # cookie-banner buttons
    "en": ("accept( all)?( cookies)?", "reject all", "manage (cookies|preferences|options)"),
    "de": ("alle akzeptieren", "akzeptieren", "alle ablehnen", "einstellungen verwalten"),
    "fr": ("tout accepter", "accepter( et fermer)?", "tout refuser", "continuer sans accepter"),
    "es": ("aceptar( todo| todas)?", "rechazar todo", "configurar cookies"),
    "it": ("accetta( tutti| tutto)?", "rifiuta tutti", "gestisci (le )?preferenze"),
    "pt": ("aceitar( todos| tudo)?", "rejeitar todos", "gerir preferências"),
    "nl": ("alles accepteren", "accepteren", "alles weigeren"),
    "pl": ("akceptuj( wszystkie)?", "zaakceptuj( wszystkie)?", "odrzuć wszystkie"),
    "uk": ("прийняти( все| всі)?", "відхилити все"),
    "ru": ("принять( все)?", "отклонить все"),
    "sv": ("godkänn alla", "acceptera( alla)?", "avvisa alla"),
    "tr": ("tümünü kabul et", "kabul et", "tümünü reddet"),
}
LEGAL_TERMS: dict[str, tuple[str, ...]] = {  # legal link labels of a page footer
    "en": (
        "privacy( policy| notice)?",
        "terms( of (use|service))?",
        "terms and conditions",
        "cookie (policy|settings|preferences)",
        "imprint",
        "legal notice",
    ),
    "de": (
        "datenschutz(erklärung|hinweise)?",
        "impressum",
        "agb",
        "nutzungsbedingungen",
        "cookie-einstellungen",
        "barrierefreiheit",
    ),
    "fr": (
        "mentions légales",
        "politique de confidentialité",
        "conditions générales( d'utilisation)?",
        "cgu",
        "gestion des cookies",
        "données personnelles",
    ),
    "es": (
        "aviso legal",
        "política de privacidad",
        "política de cookies",
        "términos y condiciones",
        "condiciones de uso",
    ),
    "it": ("note legali", "informativa( sulla)? privacy", "cookie policy", "termini e condizioni", "condizioni d'uso"),
    "pt": ("política de privacidade", "termos de uso", "termos e condições", "aviso legal", "política de cookies"),
    "nl": ("privacyverklaring", "privacybeleid", "cookiebeleid", "algemene voorwaarden", "colofon", "disclaimer"),
    "pl": ("polityka prywatności", "polityka cookies", "regulamin", "ustawienia prywatności"),
    "uk": ("політика конфіденційності", "умови використання", "правила використання"),
    "ru": ("политика конфиденциальности", "пользовательское соглашение", "условия использования"),
    "sv": ("integritetspolicy", "användarvillkor", "cookiepolicy", "cookie-inställningar"),
    "tr": ("gizlilik politikası", "kullanım koşulları", "çerez politikası", "kvkk", "künye"),
}
RIGHTS_RESERVED: dict[str, tuple[str, ...]] = {
    "en": ("all rights reserved",),
    "de": ("alle rechte vorbehalten",),
    "fr": ("tous droits réservés",),
    "es": ("todos los derechos reservados",),
    "it": ("tutti i diritti riservati",),
    "pt": ("todos os direitos reservados",),
    "nl": ("alle rechten voorbehouden",),
    "pl": ("wszelkie prawa zastrzeżone",),
    "uk": ("усі права захищені", "всі права захищені"),
    "ru": ("все права защищены",),
    "sv": ("alla rättigheter förbehållna",),
    "tr": ("tüm hakları saklıdır", "her hakkı saklıdır"),
}
COOKIE_WORDS = r"(?:cookie|çerez|kakor|ciasteczk|куки)"
PAYWALL_NOTICES: dict[str, tuple[str, ...]] = {  # the article is cut off for non-subscribers
    "en": (
        r"(subscribe|log ?in|sign in|register) to (continue|keep) reading",
        r"continue reading\b(?! (on|in) (our|the) app)",
        r"for subscribers only",
        r"subscriber[- ]only",
        r"premium (article|content)",
        r"free articles? (left|remaining)",
        r"reached your (limit|monthly limit)",
        r"already a subscriber",
        r"(is|are) (available )?(exclusively )?(to|for) (paying )?subscribers",
    ),
    "de": (
        r"(nur|exklusiv) für (abonnenten|abonnentinnen|abonnierende|abonnent\*innen|plus-kunden)",
        r"weiterlesen mit",
        r"schon abonnent",
        r"bereits abonnent",
        r"um (den|diesen) (artikel|beitrag) (weiter|vollständig|ganz) zu lesen",
        r"ihr (kostenloses )?kontingent",
    ),
    "fr": (
        r"réservée? aux abonnés",
        r"il vous reste \d+\s*%",
        r"la suite (de cet article )?est réservée",
        r"pour (lire|découvrir) la suite",
        r"déjà abonné",
        "lisez la suite",
    ),
    "es": (
        r"(exclusiv[oa]|solo|sólo|reservad[oa]) (para|a) (suscriptores|abonados|socios)",
        r"para (seguir|continuar) leyendo",
        r"ya eres (suscriptor|socio)",
        r"ya estás suscrito",
    ),
    "it": (
        r"riservat[oa] agli abbonati",
        r"(solo|esclusivo) per (gli )?abbonati",
        r"per continuare a leggere",
        r"sei già abbonato",
        r"hai esaurito",
    ),
    "pt": (
        r"(exclusiv[oa]|só|apenas|restrit[oa]) (para|a) assinantes",
        r"para continuar (lendo|a ler)",
        r"já é assinante",
        r"já sou assinante",
    ),
    "nl": (
        r"(alleen|exclusief) (beschikbaar )?voor (abonnees|premium-leden)",
        r"ben je al abonnee",
        r"al abonnee\?",
        r"om (dit|het) artikel (verder |volledig )?te lezen",
        r"lees (dit artikel )?verder met",
        "plus-?artikel",
    ),
    "pl": (
        r"(tylko|wyłącznie) dla (prenumeratorów|subskrybentów|abonentów)",
        r"dostęp\w* (tylko |wyłącznie )?dla (prenumeratorów|subskrybentów|abonentów)",
        r"masz już (subskrypcję|prenumeratę|dostęp)",
        r"aby (czytać dalej|przeczytać (cały|całość))",
        r"pozostało \d+\s*%",
    ),
    "uk": (
        r"(лише|тільки) для (передплатників|підписників)",
        r"доступ\w* (лише |тільки )?(для )?(передплатник|підписник)",
        r"щоб (читати|прочитати) (далі|повністю|статтю)",
        r"вже (маєте|є) (передплат|підписк)",
        r"доступ\w* за передплатою",
    ),
    "ru": (
        r"(только|лишь) для подписчиков",
        r"доступ\w* (только )?(для )?подписчик",
        r"чтобы (читать|прочитать) (дальше|далее|полностью|статью)",
        r"уже (есть подписка|подписаны)",
        r"доступ\w* по подписке",
    ),
    "sv": (
        r"(endast|bara|enbart) för (prenumeranter|premiumkunder|plusprenumeranter)",
        r"för att läsa (vidare|hela artikeln)",
        r"redan prenumerant",
        r"läs vidare med",
        "plus-?artikel",
    ),
    "tr": (
        r"(yalnızca|sadece)? ?abonel\w* (özel|açık)",
        r"okumaya devam etmek için",
        r"zaten abone misiniz",
        r"haberin devamı",
    ),
}
PAYWALL_NEEDLES = (  # every PAYWALL_NOTICES match contains one of these: a cheap prefilter (the pattern is unanchored)
    "reading", "subscriber", "premium", "free article", "reached your", "abonn", "plus-kunden", "weiterlesen",
    "zu lesen", "kontingent", "il vous reste", "la suite", "suscriptor", "abonad", "socios", "eres socio", "leyendo", "suscrit",
    "abbonat", "leggere", "esaurito", "assinante", "para continuar", "te lezen", "verder met", "prenumerator",
    "subskrybent", "abonent", "masz już", "aby czytać", "aby przeczytać", "pozostało", "передплат", "підписник",
    "підписк", "щоб читати", "щоб прочитати", "подписчик", "чтобы читать", "чтобы прочитать", "уже есть подписка",
    "уже подписаны", "prenumerant", "premiumkunder", "för att läsa", "läs vidare", "abonel", "okumaya devam",
    "zaten abone", "haberin devamı", "plusartikel", "plus-artikel", "по подписке",
)  # fmt: skip
APP_PROMPTS: dict[str, tuple[str, ...]] = {  # download-the-app and read-in-the-app prompts
    "en": (
        r"(download|get|install) (our|the) [\w ]{0,20}app\b",
        r"(continue|keep) reading (on|in) (our|the) app",
        r"open in (the )?app",
        r"read (it |this )?in (our|the) app",
    ),
    "de": (
        r"(laden sie|lade|hol dir|holen sie sich) (sich |dir )?(jetzt )?(unsere|die) [\w-]{0,20}app",
        r"in (der|unserer) app (weiterlesen|lesen|öffnen)",
        r"app herunterladen",
        r"jetzt (die|unsere) app",
    ),
    "fr": (
        r"téléchargez (notre |l')appli",
        r"(continue[rz]?|poursuive[rz]) (votre |la )?(lecture|à lire) (sur|dans) (notre |l')appli",
        r"lire (la suite )?dans l'appli",
    ),
    "es": (
        r"descarga (nuestra|la) app",
        r"(sigue|seguir|continúa|continuar) leyendo en (la|nuestra) app",
        r"descárgate (nuestra|la) app",
    ),
    "it": (r"scarica (la nostra |l')app", r"continua a leggere (sull|nell)'app"),
    "pt": (
        r"(baixe|descarregue|instale) (o nosso |a nossa |o |a )?(app|aplicativo|aplicação)",
        r"continu(e|ar) (lendo|a ler) n[oa] (app|aplicativo)",
    ),
    "nl": (r"download (onze|de) [\w-]{0,20}app", r"lees verder in (de|onze) app"),
    "pl": (r"pobierz (naszą |)aplikację", r"czytaj (dalej )?w aplikacji"),
    "uk": (r"завантажуйте|завантажте (наш |)(застосунок|додаток)", r"читайте (далі )?(в|у) (застосунку|додатку)"),
    "ru": (r"скачайте (наше |)приложение", r"читайте (дальше |далее )?в (нашем )?приложении"),
    "sv": (r"ladda ner (vår |)app(en)?", r"läs vidare i appen"),
    "tr": (r"uygulamamızı indir", r"uygulamayı indir", r"uygulamada (okumaya )?devam et"),
}
SUBSCRIBE_OFFERS: dict[str, tuple[str, ...]] = {  # subscription sales pitches (on complete articles too)
    "en": (
        r"(subscribe|sign up) (now|today) (for|and|to get)",
        r"become a subscriber",
        r"get unlimited (digital )?access",
        r"subscribe for (just|only) ",
    ),
    "de": (
        r"jetzt (abonnieren|abo abschließen|testen|\d+ wochen)",
        r"abo abschließen",
        r"(\d+|vier|drei) wochen (gratis|kostenlos) (testen|lesen)",
    ),
    "fr": (r"abonnez-vous (dès|pour|à partir)", r"je m'abonne", r"profitez de (notre|l')offre"),
    "es": (r"suscríbete (por|desde|ahora|ya)", r"hazte suscriptor", r"suscríbete y (lee|accede)"),
    "it": (r"abbonati (ora|subito|a|per)", r"abbonati\W*$", r"scopri l'offerta"),
    "pt": (r"assine (já|agora|por|o)", r"(seja|torne-se) assinante"),
    "nl": (r"word (nu )?abonnee", r"abonneer (je )?(nu|vandaag)", r"neem (nu )?een abonnement"),
    "pl": (r"(wykup|zamów|kup) (dostęp|subskrypcję|prenumeratę|abonament)", r"zostań (subskrybentem|prenumeratorem)"),
    "uk": (r"оформ(іть|ити) передплату", r"передплатіть", r"станьте (передплатником|підписником)"),
    "ru": (r"оформ(ите|ить) подписку", r"станьте подписчиком"),
    "sv": (r"bli prenumerant", r"prenumerera (nu|idag|för)", r"teckna (en )?prenumeration"),
    "tr": (r"(hemen )?abone ol(un)?\b", r"aboneliğinizi başlatın"),
}
FOLLOW_CHANNEL = (
    r"(subscribe|follow|abonniere|abonnieren sie|folgen sie|folge|abonnez-vous|suivez|suscríbete|síguenos|iscriviti|seguici|"
    r"inscreva-se|siga|abonneer je|volg|subskrybuj|obserwuj|підпишіться|підписуйтесь|стежте|подпишитесь|подписывайтесь|"
    r"следите|prenumerera|följ|abone ol|takip edin)\w*\b.{0,40}\b(telegram|youtube|whatsapp|instagram|facebook|tiktok|"
    r"x|twitter|канал\w*|kanal\w*|channel|chaîne|canal|canale|kanaal)\b"
)
FOLLOW_US: dict[str, tuple[str, ...]] = {
    "en": ("follow us", "like us on"),
    "de": ("folgen sie uns", "folge uns"),
    "fr": ("suivez-nous", "retrouvez-nous sur"),
    "es": ("síguenos", "siga(nos)? en"),
    "it": ("seguici", "seguiteci"),
    "pt": ("siga-nos", "acompanhe-nos", "siga a gente"),
    "nl": ("volg ons",),
    "pl": ("obserwuj nas", "śledź nas"),
    "uk": ("стежте за нами", "слідкуйте за нами", "підписуйтесь на нас"),
    "ru": ("следите за нами", "подписывайтесь на нас"),
    "sv": ("följ oss",),
    "tr": ("bizi takip edin", "bizi .{0,20} takip edin"),
}
SHARE_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("share( this( article| story)?)?( on| via|:|$)", "tweet", "pin it", "email this", "print", "copy link"),
    "de": ("teilen", "artikel teilen", r"auf \w+ teilen", "link kopieren", "drucken", "per e-mail (teilen|senden)"),
    "fr": ("partager", "partagez( cet article)?", "partager sur", "copier le lien", "imprimer"),
    "es": ("compartir", "comparte( esta noticia)?", "compartir en", "copiar enlace", "imprimir"),
    "it": ("condividi", "condividi su", "copia link", "stampa"),
    "pt": ("compartilhe?", "compartilhar", "partilhar?", "partilhe", "copiar link", "imprimir"),
    "nl": ("deel( dit artikel)?", "delen", "deel via", "link kopiëren", "printen"),
    "pl": ("udostępnij", "podziel się", "skopiuj link", "drukuj"),
    "uk": ("поділитися", "поширити", "поділіться", "скопіювати посилання"),
    "ru": ("поделиться", "поделитесь", "скопировать ссылку"),
    "sv": ("dela( artikeln)?", "dela på", "kopiera länk", "skriv ut"),
    "tr": ("paylaş", "paylaşın", "bağlantıyı kopyala", "yazdır"),
}
COMMENT_WORDS: dict[str, tuple[str, ...]] = {  # comment-section furniture: whole short lines
    "en": (
        "comments?",
        "add a comment",
        "leave a comment",
        "show comments",
        "view comments",
        "(log ?in|sign in) to comment",
        "join the (discussion|conversation)",
        "write a comment",
    ),
    "de": (
        "kommentare",
        "kommentar schreiben",
        "diskutieren sie mit",
        "kommentare anzeigen",
        "zu den kommentaren",
        "jetzt kommentieren",
        "kommentieren",
        "kommentar (verfassen|schreiben)",
    ),
    "fr": (
        "commentaires?",
        "réagir",
        "réagissez",
        "laisser un commentaire",
        "voir les commentaires",
        "commenter",
        "écrire un commentaire",
    ),
    "es": ("comentarios?", "comentar", "deja (un|tu) comentario", "ver comentarios", "escribe un comentario"),
    "it": ("commenti", "commenta", "lascia un commento", "mostra (i )?commenti", "scrivi un commento"),
    "pt": ("comentários?", "comentar", "deixe (um|seu) comentário", "ver comentários", "escreva um comentário"),
    "nl": ("reacties?", "reageer", "reageren", "plaats een reactie", "bekijk (de )?reacties", "schrijf een reactie"),
    "pl": ("komentarze", "skomentuj", "dodaj komentarz", "pokaż komentarze", "napisz komentarz"),
    "uk": (
        "коментарі",
        "коментувати",
        "додати коментар",
        "залишити коментар",
        "показати коментарі",
        "напишіть коментар",
    ),
    "ru": (
        "комментарии",
        "комментировать",
        "оставить комментарий",
        "добавить комментарий",
        "показать комментарии",
        "написать комментарий",
    ),
    "sv": ("kommentarer", "kommentera", "skriv en kommentar", "visa kommentarer", "skriv (en )?kommentar"),
    "tr": ("yorumlar", "yorum yap", "yorum yaz", "yorumları (gör|göster)", "yorum yazın"),
}
READ_ALSO: dict[str, tuple[str, ...]] = {
    "en": (
        "read (also|more|next)",
        "see also",
        "related( (posts|articles|stories|coverage|news|content))?",
        "more (news|stories|on this|from)",
        "also on",
        "see more",
        "don'?t miss",
        "watch more",
        "you (may|might) (also )?like",
        "recommended( for you)?",
        "editors'? picks",
        "most (read|popular)",
        "top stories",
    ),
    "de": (
        "lesen sie (auch|mehr)",
        "mehr zum thema",
        "auch interessant",
        "das könnte sie (auch )?interessieren",
        "meistgelesen",
        "weitere artikel",
        "mehr (aus|zu)( dem)? (ressort|thema)",
        "verwandte artikel",
    ),
    "fr": (
        "lire aussi",
        "à lire aussi",
        "à lire également",
        "sur le même sujet",
        "à voir aussi",
        "voir aussi",
        "les plus lus",
        "nos articles",
    ),
    "es": (
        "lee también",
        "lea también",
        "te puede interesar",
        "le puede interesar",
        "noticias relacionadas",
        "más noticias",
        "lo más leído",
        "ver también",
        "relacionado",
    ),
    "it": (
        "leggi anche",
        "potrebbe interessarti",
        "ti potrebbe interessare",
        "articoli correlati",
        "più letti",
        "vedi anche",
        "correlati",
    ),
    "pt": ("leia (também|mais)", "veja também", "saiba mais", "relacionadas", "mais lidas", "leia a seguir"),
    "nl": ("lees ook", "lees meer", "meer over dit onderwerp", "zie ook", "meest gelezen", "gerelateerd"),
    "pl": (
        "czytaj (też|także|więcej|również)",
        "zobacz (też|także|również)",
        "przeczytaj (też|także|również)",
        "polecamy",
        "najczęściej czytane",
        "powiązane",
    ),
    "uk": ("читайте (також|ще)", "дивіться також", "по темі", "на цю тему", "популярне", "вам може бути цікаво"),
    "ru": (
        "читайте (также|еще|ещё)",
        "смотрите также",
        "по теме",
        "вам может быть интересно",
        "популярное",
        "самое читаемое",
    ),
    "sv": ("läs (också|även|mer)", "mer om", "se också", "mest lästa", "relaterat"),
    "tr": (
        "ayrıca (okuyun|bakınız)",
        "ilgili haberler",
        "bunlar da ilginizi çekebilir",
        "ilginizi çekebilir",
        "çok okunanlar",
        "benzer haberler",
    ),
}
CORRECTION_NOTES: dict[str, tuple[str, ...]] = {  # correction notes: a label, or "an earlier version of this article"
    "en": (r"(correction|clarification|editor's note)\s*:", r"an earlier version of this (story|article|report)"),
    "de": (
        r"(korrektur|anmerkung der redaktion|hinweis der redaktion)\s*:",
        r"in einer früheren (version|fassung) (dieses|des) (artikels|textes|beitrags)",
    ),
    "fr": (
        r"(correctif|rectificatif|erratum|note de la rédaction)\s*:",
        r"une (précédente|première) version de cet article",
    ),
    "es": (
        r"(fe de errores|corrección|nota del editor|nota de la redacción)\s*:",
        r"una versión anterior de (este artículo|esta noticia)",
    ),
    "it": (
        r"(rettifica|errata corrige|nota della redazione)\s*:",
        r"una versione precedente (di questo articolo|dell'articolo)",
    ),
    "pt": (
        r"(correção|errata|nota da redação)\s*:",
        r"uma versão anterior (deste texto|deste artigo|desta reportagem|desta matéria)",
    ),
    "nl": (r"(correctie|rectificatie|noot van de redactie)\s*:", r"in een eerdere versie van (dit artikel|deze tekst)"),
    "pl": (r"(sprostowanie|korekta|od redakcji|nota redakcyjna)\s*:", r"we wcześniejszej wersji (artykułu|tekstu)"),
    "uk": (r"(виправлення|примітка редакції|від редакції)\s*:", r"у попередній версії (статті|матеріалу|новини)"),
    "ru": (r"(исправление|примечание редакции|от редакции)\s*:", r"в предыдущей версии (статьи|материала|новости)"),
    "sv": (r"(rättelse|redaktionens anmärkning)\s*:", r"i en tidigare version av (artikeln|texten)"),
    "tr": (r"(düzeltme|editörün notu)\s*:", r"haberin önceki (versiyonunda|sürümünde)"),
}
UPDATE_NOTES: dict[str, tuple[str, ...]] = {  # update and correction notes on a complete article (never a paywall)
    "en": (
        r"this (story|article|post) (has been|was) (updated|corrected)",
        r"(editor'?s note|update|correction|clarification)\s*:",
        r"an earlier version of this",
    ),
    "de": (
        r"dieser (artikel|beitrag|text) wurde (aktualisiert|korrigiert|ergänzt)",
        r"(korrektur|aktualisierung|update|anmerkung der redaktion|hinweis der redaktion)\s*:",
        r"in einer früheren version",
    ),
    "fr": (
        r"cet article a été (mis à jour|modifié|corrigé)",
        r"(mise à jour|correctif|rectificatif|note de la rédaction)\s*:",
        r"une précédente version",
    ),
    "es": (
        r"(este artículo|esta noticia) (ha sido|fue) (actualizad|corregid)",
        r"(actualización|fe de errores|nota del editor|nota de la redacción|corrección)\s*:",
        r"una versión anterior",
    ),
    "it": (
        r"questo articolo è stato (aggiornato|corretto)",
        r"(aggiornamento|rettifica|nota della redazione)\s*:",
        r"una versione precedente",
    ),
    "pt": (
        r"(este artigo|esta matéria|esta reportagem) foi (atualizad|corrigid)",
        r"(atualização|correção|errata|nota da redação)\s*:",
        r"uma versão anterior",
    ),
    "nl": (
        r"dit artikel is (bijgewerkt|aangepast|gecorrigeerd)",
        r"(update|correctie|rectificatie|noot van de redactie)\s*:",
        r"in een eerdere versie",
    ),
    "pl": (
        r"(artykuł|tekst) (został|zostal) (zaktualizowany|poprawiony|uzupełniony)",
        r"(aktualizacja|sprostowanie|od redakcji|nota redakcyjna)\s*:",
        r"we wcześniejszej wersji",
    ),
    "uk": (
        r"(статтю|матеріал|новину) (було )?(оновлено|виправлено|доповнено)",
        r"(оновлення|виправлення|примітка редакції|від редакції)\s*:",
    ),
    "ru": (
        r"(статья|материал|новость) (был\w* )?(обновлен|исправлен|дополнен)",
        r"(обновление|исправление|примечание редакции|от редакции)\s*:",
    ),
    "sv": (
        r"(artikeln|texten) (har )?(uppdaterats|uppdaterades|korrigerats|rättats)",
        r"(uppdatering|rättelse|redaktionens anmärkning)\s*:",
    ),
    "tr": (r"(bu )?haber güncellendi", r"(güncelleme|düzeltme|editörün notu)\s*:"),
}
TAG_LABELS = r"(tags?|topics|schlagw(ö|o)rte?|themen|mots[- ]clés|étiquettes|etiquetas|temas|argomenti|trefwoorden|onderwerpen|tagi|tematy|теги|мітки|теми|темы|taggar|ämnen|etiketler|konular)"
PUBLISHED_WORDS = (
    r"(published|updated|posted|last updated|first published|veröffentlicht|aktualisiert|erstellt|stand|publié|mis à jour|"
    r"publicado|actualizado|pubblicato|aggiornato|atualizado|gepubliceerd|bijgewerkt|laatst bijgewerkt|opublikowano|"
    r"aktualizacja|zaktualizowano|опубліковано|оновлено|опубликовано|обновлено|publicerad|publicerat|uppdaterad|"
    r"uppdaterat|yayınlanma|yayınlandı|güncellenme|güncellendi|son güncelleme)"
)
BYLINE_WORDS = (
    r"(?i:by|von|par|por|di|de|da|door|av|przez|автор(ка|и)?|автор(и)?|yazan|text|texte|texto|testo|tekst|autor(in|a|ka)?|"
    r"yazar|muhabir|reporter)"
)
NAME = r"[A-ZÀ-ÞĀ-ſА-ЯЁІЇЄҐ][\w.'’-]+"
NAME_PARTICLE = r"(?:van|von|de|der|den|da|di|du|del|la|le|ten|ter|af|bin|el|al|dos|das)"
NAMES = rf"{NAME}(\s+({NAME_PARTICLE}\s+)*{NAME}){{0,4}}"
NAME_JOIN = r"(?i:and|und|et|y|e|en|i|и|і|och|ve|&)"
READING_WORDS = (
    r"(read|reading time|lesezeit|lesedauer|de lecture|temps de lecture|lectura|de lectura|tiempo de lectura|lettura|di lettura|leitura|"
    r"tempo di lettura|de leitura|tempo de leitura|leestijd|leestijd|czytania|czas czytania|читання|час читання|чтения|"
    r"время чтения|lästid|läsning|läsminuter|okuma süresi|okuma)"
)
MINUTES = r"(min(ute|uten|utes|uti|utos|ut|uty)?s?|мин(ут[аы]?)?|хв(илин[аи]?)?|dk|dakika)"
MEDIA_NOTICES: dict[str, tuple[str, ...]] = {
    "en": (r"listen to (this|the) (article|story)", r"watch the video", r"play video"),
    "de": (
        r"(artikel|beitrag) (anhören|vorlesen lassen)",
        r"video (abspielen|ansehen)",
        r"hören sie (den|diesen) (artikel|beitrag)",
    ),
    "fr": (r"écouter (cet |l')article", r"(lire|voir|regarder) la vidéo"),
    "es": (r"escuchar (este |el )?artículo", r"(ver|reproducir) (el )?vídeo", r"escucha (esta )?noticia"),
    "it": (r"ascolta (l'|questo )articolo", r"guarda il video", r"riproduci (il )?video"),
    "pt": (r"ouvir (este |o )?artigo", r"ou[çv]a (esta )?(matéria|notícia)", r"(assista|assistir) ao vídeo"),
    "nl": (r"beluister (dit |het )?artikel", r"(bekijk|speel) de video", r"video afspelen"),
    "pl": (r"posłuchaj (tego )?artykułu", r"odtwórz (wideo|film)", r"zobacz (wideo|film)"),
    "uk": (r"слухати (статтю|новину)", r"(дивіться|дивитися) відео", r"прослухати (статтю|новину)"),
    "ru": (r"слушать (статью|новость)", r"(смотрите|смотреть) видео", r"прослушать (статью|новость)"),
    "sv": (r"lyssna på (artikeln|texten)", r"(se|spela upp) video(n)?"),
    "tr": (r"haberi dinle", r"videoyu (izle|oynat)", r"bu haberi dinleyin"),
}
REPORT_ERROR_NEEDLES = ("correction", "ctrl", "strg", "report", "mistake", "leave your", "fehler", "erreur", "faute", "error", "erro", "fout", "błąd", "помилк", "ошибк", "fel", "hata")  # fmt: skip
MAIL_NEEDLES = ("inbox", "mail", "postfach", "boîte", "correo", "bandeja", "casella", "caixa", "skrzynk", "пошт", "почт", "inkorg", "mejl", "e-post")  # fmt: skip
CONFIRM_NEEDLES = ("dank", "merci", "gracias", "grazie", "obrigad", "bedankt", "dziękujemy", "спасибо", "дякуємо", "tack", "teşekkür", "bestätigen", "confirm")  # fmt: skip
APP_NEEDLES = ("app", "aplica", "aplikac", "застосун", "додат", "приложени", "uygulama")  # fmt: skip
REPORT_ERROR = (
    r"(suggest a correction|ctrl\s*\+\s*enter|strg\s*\+\s*enter|report (an? )?(error|typo)|spotted a mistake|"
    r"leave your (suggestions|corrections|comment)|fehler gefunden|fehler melden|signaler une (erreur|faute)|"
    r"reportar un error|has visto un error|segnala(re)? un errore|reportar (um )?erro|encontrou um erro|fout (gezien|gevonden|melden)|"
    r"meld een fout|zgłoś błąd|zauważyłeś błąd|повідомити про помилку|помітили помилку|знайшли помилку|сообщить об ошибке|"
    r"нашли ошибку|заметили ошибку|rapportera (ett )?fel|hittat ett fel|hata bildir|hata mı (gördünüz|buldunuz))"
)
SIGNUP = (
    r"(sign up|subscribe to (our|the) (free )?newsletter|melde dich|melden sie sich|jetzt anmelden|newsletter abonnieren|"
    r"inscrivez-vous|inscris-toi|abonnez-vous à (notre|la) (newsletter|lettre)|suscríbete a (nuestro|nuestra|el|la) (boletín|newsletter)|"
    r"regístrate|iscriviti alla newsletter|iscriviti|inscreva-se|cadastre-se|assine (a nossa|nossa) newsletter|meld je (nu )?aan|"
    r"schrijf je in|abonneer je op (onze|de) nieuwsbrief|zapisz się|zapisz się do newslettera|підпишіться на (нашу )?розсилк|"
    r"подпишитесь на (нашу )?рассылк|prenumerera på (vårt |)nyhetsbrev|anmäl dig|e-?bültene? (abone|kaydol)|bültenimize)"
)
EMAIL_FIELD = (
    r"(e-?mail[- ]?ad(d)?res(s|se)?|adresse e-?mail|votre (adresse )?e-?mail|tu (correo|e-?mail)|correo electrónico|"
    r"indirizzo e-?mail|il tuo (indirizzo )?e-?mail|(seu|o seu) e-?mail|endereço de e-?mail|je e-?mail(adres)?|"
    r"adres e-?mail|twój (adres )?e-?mail|електронн\w* (адрес|пошт)|ваш e-?mail|электронн\w* (адрес|почт)|ваш email|"
    r"e-?postadress|din e-?post|e-?posta adres)"
)
NEWSLETTER_CONFIRM = (
    r"(dank für (ihre|deine) anmeldung|merci (pour votre inscription|de vous être inscrit)|gracias por (suscribirte|tu suscripción|registrarte)|"
    r"grazie per (esserti iscritt|l'iscrizione)|obrigad[oa] por (se inscrever|assinar|se cadastrar)|bedankt voor je (aanmelding|inschrijving)|"
    r"dziękujemy za (zapis|subskrypcj)|спасибо за подписку|дякуємо за підписку|tack för (din )?(prenumeration|anmälan)|"
    r"abone olduğunuz için teşekkür|(bitte )?bestätigen sie ihre|confirmez votre (inscription|adresse)|confirma tu (suscripción|correo))"
)
MAIL_DELIVERY = (  # "... straight to your inbox", in each language
    r"\b(in(to)? your inbox|to your (e-?mail|inbox)|in ihr(em)? (e-mail-)?postfach|per e-?mail|par (e-?)?mail|dans votre boîte|"
    r"en tu (correo|bandeja)|por (correo|e-?mail)|nella tua (casella|email)|via e-?mail|no seu e-?mail|na sua caixa|"
    r"in je (mailbox|inbox)|op je e-?mail|na (twoją |swoją )?(skrzynkę|e-?mail)|на (вашу |свою )?(пошту|почту|e-?mail)|"
    r"i din (inkorg|mejl)|på mejl|e-?posta kutunuza|e-?postanıza)"
)
DONATE_ML = (
    r"(dona ora|підтримати (проєкт|проект)|поддержать проект|unterstützen sie|unterstütze (uns|unabhängigen|unseren)|jetzt unterstützen|soutenez|faites un don|faire un don|"
    r"apóyanos|apoya (a |el |nuestro |nuestra )|haz una donación|hazte (socio|mecenas)|dona (ahora|ya|hoy)|sostieni|"
    r"fai una donazione|apoie|faça uma (doação|contribuição)|doe agora|steun (ons|onze|onafhankelijke|de journalistiek)|doneer|"
    r"word (vriend|donateur)|wesprzyj|wspieraj|przekaż darowiznę|zostań patronem|підтримайте|підтримати (нас|редакцію|нашу)|"
    r"поддержите|поддержать (нас|редакцию|нашу)|stöd (oss|oberoende|vår)|bli (månadsgivare|supporter)|swisha|bağış yap|"
    r"destek ol|bize destek|bağımsız gazeteciliğe destek|bağış yaparak|ge ett bidrag|make a (contribution|donation)|"
    r"(consider )?making a (contribution|donation|gift)|please consider (supporting|a contribution|a donation))"
)
DATE_WORDS_LINE = (  # "14. März 2025", "Freitag, 14 mars 2025 à 10h32", "17/03/2025 às 14h30": no English needed
    r"^\W*([^\W\d_]{2,12}\.?,?\s+)?(\d{1,2}\.?\s+(de\s+)?[^\W\d_]{3,10}\.?\s+(de\s+)?\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})"
    r"\s*(г\.|р\.|yılı)?(\s*[,|-]?\s*([^\W\d_]{1,5}\.?\s*)?\d{1,2}[:.h]\d{2}(\s*(uhr|h))?)?\W*$"
)
