/**
 * Answer words mapped to labels, for the tolerant parser. Keys are lower-case words or short
 * phrases as models write them (adjectives, nouns, common near-synonyms); a label always matches
 * itself, so labels are not repeated here. Deliberately conservative: a word that could belong to
 * two labels (e.g. "calm" for neutral or peace) is left out, so the answer stays invalid rather
 * than being guessed into a class. Pipelines add their own with `labels: { synonyms: ... }`.
 */
export const BASIC7_SYNONYMS: Readonly<Record<string, string>> = {
  happy: 'happiness', joy: 'happiness', joyful: 'happiness', glad: 'happiness', cheerful: 'happiness',
  delighted: 'happiness', elated: 'happiness', pleased: 'happiness', content: 'happiness', contentment: 'happiness',
  sad: 'sadness', unhappy: 'sadness', sorrow: 'sadness', sorrowful: 'sadness', melancholy: 'sadness',
  depressed: 'sadness', gloomy: 'sadness', grief: 'sadness', downcast: 'sadness', miserable: 'sadness',
  angry: 'anger', mad: 'anger', furious: 'anger', rage: 'anger', enraged: 'anger', irritated: 'anger',
  annoyed: 'anger', hostile: 'anger', irate: 'anger',
  afraid: 'fear', scared: 'fear', fearful: 'fear', frightened: 'fear', terrified: 'fear', anxious: 'fear',
  anxiety: 'fear', nervous: 'fear', worried: 'fear', panic: 'fear', panicked: 'fear',
  surprised: 'surprise', astonished: 'surprise', astonishment: 'surprise', amazed: 'surprise',
  amazement: 'surprise', shocked: 'surprise', startled: 'surprise',
  disgusted: 'disgust', revulsion: 'disgust', repulsed: 'disgust', revolted: 'disgust', 'grossed out': 'disgust',
  neutrality: 'neutral', expressionless: 'neutral', 'no emotion': 'neutral', 'no particular emotion': 'neutral',
  impassive: 'neutral',
};

export const EMOTIC26_SYNONYMS: Readonly<Record<string, string>> = {
  peaceful: 'peace', serene: 'peace', serenity: 'peace', relaxed: 'peace', tranquil: 'peace',
  affectionate: 'affection', love: 'affection', loving: 'affection', tenderness: 'affection', fondness: 'affection',
  respect: 'esteem', admiration: 'esteem', admiring: 'esteem',
  anticipating: 'anticipation', expectant: 'anticipation', expectation: 'anticipation', eager: 'anticipation',
  engaged: 'engagement', interested: 'engagement', interest: 'engagement', attentive: 'engagement', focused: 'engagement',
  confident: 'confidence', 'self-assured': 'confidence', assured: 'confidence',
  happy: 'happiness', joy: 'happiness', joyful: 'happiness', cheerful: 'happiness', glad: 'happiness', delighted: 'happiness',
  pleased: 'pleasure', enjoyment: 'pleasure', enjoying: 'pleasure',
  excited: 'excitement', enthusiastic: 'excitement', enthusiasm: 'excitement', thrilled: 'excitement',
  surprised: 'surprise', astonished: 'surprise', amazed: 'surprise', startled: 'surprise',
  sympathetic: 'sympathy', compassion: 'sympathy', compassionate: 'sympathy', empathy: 'sympathy',
  doubt: 'doubt/confusion', doubtful: 'doubt/confusion', confusion: 'doubt/confusion', confused: 'doubt/confusion',
  'doubt or confusion': 'doubt/confusion', 'doubt and confusion': 'doubt/confusion', puzzled: 'doubt/confusion', uncertain: 'doubt/confusion',
  disconnected: 'disconnection', detached: 'disconnection', uninterested: 'disconnection', indifferent: 'disconnection',
  tired: 'fatigue', fatigued: 'fatigue', exhausted: 'fatigue', weary: 'fatigue', sleepy: 'fatigue',
  embarrassed: 'embarrassment', ashamed: 'embarrassment', shame: 'embarrassment',
  longing: 'yearning', yearn: 'yearning',
  disapproving: 'disapproval', disapprove: 'disapproval',
  dislike: 'aversion', repulsed: 'aversion', disgust: 'aversion', disgusted: 'aversion',
  annoyed: 'annoyance', irritated: 'annoyance', irritation: 'annoyance', frustrated: 'annoyance', frustration: 'annoyance',
  angry: 'anger', furious: 'anger', rage: 'anger', mad: 'anger',
  sensitive: 'sensitivity', vulnerable: 'sensitivity',
  sad: 'sadness', unhappy: 'sadness', sorrow: 'sadness', grief: 'sadness', melancholy: 'sadness',
  disquiet: 'disquietment', worried: 'disquietment', anxious: 'disquietment', anxiety: 'disquietment',
  nervous: 'disquietment', uneasy: 'disquietment', unease: 'disquietment',
  afraid: 'fear', scared: 'fear', frightened: 'fear', terrified: 'fear', fearful: 'fear',
  pained: 'pain', hurt: 'pain',
  suffer: 'suffering', distressed: 'suffering', distress: 'suffering', anguish: 'suffering',
};
