#include "domain/name_rules.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "domain/first_names.h"

namespace hubtable::domain {

namespace {

using Words = std::set<std::string, std::less<>>;

Words word_set(std::string_view list) {
  Words out;
  std::size_t start = 0;
  while (start < list.size()) {
    const std::size_t end = std::min(list.find(' ', start), list.size());
    if (end > start) out.emplace(list.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

/// Lower case, without a possessive ("'s") or a final period ("St.").
std::string bare(std::string_view w) {
  std::string l = ascii_lower(w);
  // French elision: "L'intervenante" is "intervenante".
  for (std::string_view e : {"l'", "d'", "qu'", "j'", "s'", "n'", "m'"}) {
    if (l.size() > e.size() + 1 && l.compare(0, e.size(), e) == 0) {
      l.erase(0, e.size());
      break;
    }
  }
  if (l.size() > 2 && l.compare(l.size() - 2, 2, "'s") == 0) l.resize(l.size() - 2);
  while (!l.empty() && l.back() == '.') l.pop_back();
  return l;
}

bool possessive(std::string_view w) {
  return w.size() > 2 && (w.substr(w.size() - 2) == "'s" || w.substr(w.size() - 2) == "s'");
}

// Ordinary English and French words, domain terms and places that are
// capitalised in case notes; and the months and weekdays in their short forms.
const Words& common_words() {
  static const Words kWords = word_set(
      "a an the he she they we i it his her their our this that these those there here after "
      "before on in at when while since both no not yes if as by for from with without during "
      "over under about per all each every some many most one two three four five six seven "
      "eight nine ten first second third last next previous other another also and or but so "
      "then now today yesterday tomorrow tonight still recently currently reportedly overall "
      "however although because due following update status note notes concerns concern risk "
      "plan agencies agency police family mother father mom dad parent parents grandmother "
      "grandfather sibling siblings brother sister son daughter child children youth adult "
      "senior person individual client neighbour neighbours landlord partner caregiver teacher "
      "principal worker officer officers staff team school hospital shelter housing court "
      "probation lead assisting table situation consent referral intervention door knock "
      "meeting follow-up unknown none male female young older elderly will was is has had did "
      "does may might can could should would must attends lives living presented referred "
      "reported discussed agreed accepted rejected closed connected informed refused unable "
      "moved hub cor aer monday tuesday wednesday thursday friday saturday sunday january "
      "february march april may june july august september october november december spring "
      "summer fall autumn winter christmas easter thanksgiving ramadan diwali halloween grade "
      "kindergarten jk sk english french indigenous first nations nation métis metis inuit "
      "canadian newcomer ontario saskatchewan manitoba alberta quebec québec canada works "
      "disability support program children's aid society mental health community addictions "
      "addiction emergency department services service victim crisis board district public "
      "catholic secondary elementary high middle college university filter filters covid "
      "covid-19 naloxone narcan fentanyl opioid opioids cas er ed ems rcmp opp ptsd adhd fasd "
      "odsp ow ncr cto mha cmha icu er's jan feb mar apr jun jul aug sep sept oct nov dec mon "
      "tue tues wed thu thur thurs fri sat sun subject subjects complainant accused caller "
      "patrol members member writer pt pts intake collateral guardian guardians foster kinship "
      "elder elders hx dx rx y/m f/m f/40s m/30s risk factors protective outcome lowered "
      "rejected withdrawn situation type age band per re refer see contact call text email "
      "les le la l des du de un une au aux et ou mais depuis pendant avant après chez aucune "
      "aucun trois deux il elle ils elles son sa ses leur leurs ce cette ces voir numéro "
      "dossier mère père mme fils fille famille enfants jeune adolescente adolescent client "
      "cliente personne homme femme élève école directeur directrice intervenante intervenant "
      "partenaires équipe police policiers agents depuis mai juin juillet août septembre "
      "octobre novembre décembre janvier février mars avril lundi mardi mercredi jeudi "
      "vendredi samedi dimanche noël pâques mondays tuesdays wednesdays thursdays fridays "
      "saturdays sundays weekends student students teachers paramedics psychiatrist nurse "
      "nurses doctor doctors counsellor counselor guidance attendance boys girls brothers "
      "sisters big tigrinya cree ojibwe oji-cree dene arabic somali punjabi tagalog spanish "
      "mandarin cantonese ukrainian farsi dari pashto swahili amharic vietnamese urdu hindi "
      "korean russian portuguese");
  return kWords;
}

// Places, medicines and faiths: capitalised, never a person. Canada's
// provinces and territories and its larger municipalities; common
// prescription and street drug names; words for parts of a town; faiths.
const Words& gazetteer() {
  static const Words kWords = word_set(
      "british columbia nova scotia brunswick newfoundland labrador prince edward island yukon "
      "northwest territories nunavut toronto montreal montréal vancouver calgary edmonton ottawa "
      "winnipeg mississauga hamilton brampton surrey laval halifax london markham vaughan "
      "gatineau saskatoon longueuil burnaby regina richmond oakville burlington sherbrooke "
      "oshawa lévis levis barrie abbotsford coquitlam kelowna kitchener waterloo cambridge "
      "guelph sudbury saguenay trois-rivières windsor kingston moncton fredericton charlottetown "
      "whitehorse yellowknife iqaluit nanaimo kamloops victoria lethbridge medicine hat red deer "
      "grande prairie airdrie brandon thompson dauphin selkirk steinbach portage prince albert "
      "moose jaw swift current yorkton north battleford estevan weyburn lloydminster thunder "
      "bay sault ste marie timmins north peterborough belleville cornwall brantford niagara "
      "st. catharines welland sarnia chatham rimouski gaspé chicoutimi drummondville granby "
      "saint-jérôme terrebonne repentigny sydney truro "
      "prozac zoloft paxil celexa lexapro effexor wellbutrin ativan xanax valium klonopin "
      "clonazepam lorazepam seroquel quetiapine risperdal risperidone abilify olanzapine "
      "zyprexa clozapine haldol lithium epival depakote ritalin concerta adderall vyvanse "
      "strattera dilaudid hydromorphone oxycontin oxycodone percocet tylenol codeine morphine "
      "suboxone methadone sublocade kadian tramadol gabapentin lyrica narcan naloxone "
      "fentanyl carfentanil heroin cocaine crack meth methamphetamine ecstasy mdma ketamine "
      "xylazine benzo benzos "
      "downtown uptown midtown neighbourhood neighborhood area district quartier reserve "
      "anglican pentecostal mennonite hutterite baptist lutheran presbyterian united orthodox "
      "muslim sikh hindu jewish buddhist islamic mosque gurdwara synagogue temple");
  return kWords;
}

// Given names that are ordinary words as well: a name only with evidence.
const Words& ambiguous_names() {
  static const Words kWords = word_set(
      "may june april august summer autumn dawn hope faith grace joy charity mercy patience "
      "prudence chase hunter carter parker mason page paige sandy rose lily ivy holly iris daisy "
      "violet hazel heather ruby amber crystal pearl jewel jade coral olive ginger honey candy "
      "brandy sherry sky skye storm river rain sunny bill will mark art frank gene guy jack jay "
      "lance max nick pat ray rob rod sterling stone wade ward warren wood young rich price "
      "major miles royal king prince duke earl baron marshal dean bishop christian angel star "
      "harmony melody misty destiny trinity unity justice liberty victory rocky rusty dusty buck "
      "bud cliff dale glen forest heath moss reed rush regina victoria florence albert thompson "
      "tim sunday winter spring fall noel easter christmas kelly lane drew grant gray grey "
      "green brown white black west north south east cree trace tracy ash bay beau cole "
      "dallas denver devon eden hope joy la le de van von");
  return kWords;
}

// Words that make a run an organisation, programme or place.
const Words& organisation_words() {
  static const Words kWords = word_set(
      "society association centre center centres services service hospital hospitals clinic "
      "house club program programme programs collegiate school schools école ecole park arena "
      "church nation nations office team unit department ministry council army cross mall fund "
      "foundation network institute authority commission agency detachment station library "
      "legislature principle project coalition mission lodge court home homes shelter outreach "
      "alliance band university college academy transit works assistance living health hub "
      "table justice court's hospital's phone line nursery hortons walmart superstore co-op "
      "tire canada first affairs maison");
  return kWords;
}

// Street types, for a run that ends with one: "Elm St", "Willow Way".
const Words& street_words() {
  static const Words kWords = word_set(
      "street st avenue ave road rd drive dr boulevard blvd crescent cres lane ln way parkway "
      "pkwy highway hwy terrace trail");
  return kWords;
}

// French street types that come before the name: "rue Saint-Denis".
const Words& french_street_words() {
  static const Words kWords = word_set("rue avenue boulevard boul chemin rang montée côte place");
  return kWords;
}

// Words before a name that say it is one: titles, family and case roles.
const Words& name_cues() {
  static const Words kWords = word_set(
      "brother sister son daughter mother father mom dad uncle aunt cousin grandmother "
      "grandfather grandson granddaughter nephew niece stepfather stepmother stepson "
      "stepdaughter boyfriend girlfriend husband wife partner ex roommate friend named called "
      "client student youth child baby infant tenant victim suspect accused complainant "
      "with met spoke located asked about to mme m mr mrs ms miss dr cst constable sergeant "
      "sgt principal teacher officer frère sœur soeur fils fille oncle tante cousin cousine "
      "conjoint conjointe copain copine nommé nommée prénommé prénommée");
  return kWords;
}

// Verbs after a name that say a person did or was something.
const Words& person_verbs() {
  static const Words kWords = word_set(
      "has had is was says said told tells reports reported stated states disclosed discloses "
      "lives lived stays stayed attends attended missed misses refused refuses agreed agrees "
      "wants wanted asked asks called calls left leaves went goes came comes ran runs "
      "arrived arrives accepted accepts declined declines consented consents drinks uses takes "
      "took sleeps slept admitted denies denied fears feared "
      "needs needed works worked stopped returned returns moved and will would cannot can't "
      "won't isn't wasn't hasn't doesn't didn't a est était dit vit habite consomme refuse "
      "s'occupe demande travaille fréquente dort n'a n'est avait");
  return kWords;
}

bool in(const Words& set, std::string_view w) { return set.count(bare(w)) != 0; }

bool has_digit(std::string_view w) {
  return std::any_of(w.begin(), w.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

bool is_street(const NameRun& r) {
  // "rue Saint-Denis", "chemin du Lac", "avenue des Pins".
  const std::string before = ascii_lower(r.before);
  if (in(french_street_words(), before) || ((before == "du" || before == "des" || before == "de") &&
                                            in(french_street_words(), r.before2))) {
    return true;
  }
  for (std::size_t i = 0; i < r.words.size(); ++i) {
    if (!in(street_words(), r.words[i])) continue;
    // "Dr. Smith" and "St. Paul's Hospital" start with what is a street type elsewhere.
    if (i > 0 || r.number_before) return true;
  }
  return false;
}

bool is_organisation(const NameRun& r) {
  return std::any_of(r.words.begin(), r.words.end(),
                     [](std::string_view w) { return in(organisation_words(), w); }) ||
         in(organisation_words(), r.after);
}

// Verbs too common after an ordinary word to say that a word that is also
// one names a person: "Hope is low", "Joy and relief".
const Words& weak_verbs() {
  static const Words kWords = word_set("is and a will would was est");
  return kWords;
}

/// A single word with something around it that says it names a person.
/// For a word that is also an ordinary word, a weak verb after it is not enough.
bool named_by_context(const NameRun& r, bool ordinary_too) {
  const std::string_view w = r.words.front();
  if (possessive(w)) return true;
  if (in(name_cues(), r.before)) return true;
  if (r.comma_before && in(name_cues(), r.before2)) return true;
  if (ordinary_too && in(weak_verbs(), r.after)) return false;
  return in(person_verbs(), r.after);
}

}  // namespace

std::string ascii_lower(std::string_view w) {
  return absl::AsciiStrToLower(absl::string_view(w.data(), w.size()));
}

bool is_common_word(std::string_view lower_word) {
  if (in(common_words(), lower_word)) return true;
  // A place that is also a given name ("Brandon", "Sydney") is left to the
  // name rules: the list decides, or the context for the ambiguous ones.
  std::string capitalised(lower_word);
  if (!capitalised.empty()) {
    capitalised[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(capitalised[0])));
  }
  return in(gazetteer(), lower_word) && !is_first_name(capitalised);
}

bool is_street_word(std::string_view word) { return in(street_words(), word); }

bool is_french_street_word(std::string_view word) { return in(french_street_words(), word); }

bool is_first_name(std::string_view word) {
  static const Words kNames = [] {
    Words out;
    const std::string_view text = first_names_text();
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      const std::string_view line = text.substr(start, end - start);
      if (!line.empty() && line[0] != '#') out.emplace(line);
      start = end + 1;
    }
    return out;
  }();
  std::string_view w = word;
  if (possessive(w)) w.remove_suffix(2);
  return kNames.count(w) != 0;
}

RunKind classify_run(const NameRun& r) {
  if (r.words.empty()) return RunKind::kNone;
  if (is_street(r)) return RunKind::kStreet;
  if (is_organisation(r)) return RunKind::kNone;
  if (r.words.size() >= 2) return RunKind::kPersonName;
  const std::string_view w = r.words.front();
  if (has_digit(w)) return RunKind::kNone;
  const bool ordinary_too = in(ambiguous_names(), w);
  if (is_first_name(w) && !ordinary_too) return RunKind::kPersonName;
  return named_by_context(r, ordinary_too) ? RunKind::kPersonName : RunKind::kNone;
}

}  // namespace hubtable::domain
