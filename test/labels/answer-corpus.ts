/**
 * Answers to "which emotion?" as real model families write them, each with what it must read as.
 * The prompts behind them are prompt-variant's: basic7 ("Choose exactly one label … Answer with the
 * label only.", optionally with a chain-of-thought "Answer: <label>" instruction) and emotic26
 * ("Choose between 1 and 3 labels … separated by commas"). Shapes follow what each family is known
 * to send through an OpenAI-compatible server, structured output requested or not:
 *
 *   gpt-4o-mini+schema  JSON per the schema; refusals in `message.refusal`; truncated JSON at max_tokens
 *   gpt-4o-mini         a capitalised word, often with a period; a short justification
 *   llama3.2-1b         the word, "The answer is X.", "Emotion: X", list echoes, "I can't …" refusals
 *   llama3.2-3b         one or two sentences with the label in bold, caveats naming other labels
 *   mistral-7b          a leading space, "the emotion is X", explanations and notes, "I'm an AI" hedges
 *   qwen2.5             the word, bold "Emotion:" lines, JSON with or without a ```json fence
 *   qwen3               `<think>…</think>` blocks (empty in no-think mode), or Ollama's `reasoning` field
 *   gemma               "**X**" then a bulleted "Here's why" that names other labels, emoji
 *   deepseek-r1         `<think>` blocks (sometimes only the closing tag), `\boxed{X}`, "**Answer:** X",
 *                       `reasoning_content` from an API with a reasoning parser, cuts inside the reasoning
 *
 * `expect` is the label (basic7), the labels in order (emotic26, at most 3 kept), or the invalid
 * reason. The test serves every entry over HTTP to the classify kind, structured output requested.
 */
import type { ChatReply } from '../helpers/openai-server.js';
import type { InvalidReason } from '../../src/labels/parse-answer.js';

export type Family =
  | 'gpt-4o-mini+schema' | 'gpt-4o-mini' | 'llama3.2-1b' | 'llama3.2-3b' | 'mistral-7b' | 'qwen2.5' | 'qwen3' | 'gemma' | 'deepseek-r1';

export interface CorpusEntry {
  readonly family: Family;
  readonly set: 'basic7' | 'emotic26';
  /** The message content, or the whole reply (reasoning field, refusal, finish reason). */
  readonly reply: string | ChatReply;
  readonly expect: string | readonly string[] | { readonly invalid: InvalidReason };
  /** Set when more labels were named than maxLabels (3) kept. */
  readonly truncatedList?: true;
}

const invalid = (reason: InvalidReason) => ({ invalid: reason });
const b = (family: Family, reply: string | ChatReply, expect: CorpusEntry['expect']): CorpusEntry => ({ family, set: 'basic7', reply, expect });
const m = (family: Family, reply: string | ChatReply, expect: CorpusEntry['expect'], truncatedList?: true): CorpusEntry =>
  ({ family, set: 'emotic26', reply, expect, ...(truncatedList ? { truncatedList } : {}) });

const R1_THINK_HAPPY = "<think>\nOkay, so I need to figure out which emotion matches valence 0.87 and arousal 0.26. Valence is strongly positive. Surprise sits at valence 0.39, arousal 0.24, so it is possible, but happiness is at 0.87, 0.26, which is exactly this point. So the answer should be happiness.\n</think>\n\n";

export const ANSWER_CORPUS: readonly CorpusEntry[] = [
  // gpt-4o-mini with structured output
  b('gpt-4o-mini+schema', '{"label":"happiness"}', 'happiness'),
  b('gpt-4o-mini+schema', '{"label":"sadness"}', 'sadness'),
  b('gpt-4o-mini+schema', '{"label":"anger"}', 'anger'),
  b('gpt-4o-mini+schema', '{"label":"fear"}', 'fear'),
  b('gpt-4o-mini+schema', '{"label":"surprise"}', 'surprise'),
  b('gpt-4o-mini+schema', '{"label":"disgust"}', 'disgust'),
  b('gpt-4o-mini+schema', '{"label":"neutral"}', 'neutral'),
  b('gpt-4o-mini+schema', { content: null, refusal: "I'm sorry, I can't assist with that request." }, invalid('refusal')),
  b('gpt-4o-mini+schema', { content: '{"label":"sadn', finish_reason: 'length' }, invalid('truncated')),
  b('gpt-4o-mini+schema', { content: '', finish_reason: 'content_filter' }, invalid('content-filter')),
  m('gpt-4o-mini+schema', '{"labels":["happiness","excitement"]}', ['happiness', 'excitement']),
  m('gpt-4o-mini+schema', '{"labels":["doubt/confusion"]}', ['doubt/confusion']),
  m('gpt-4o-mini+schema', '{"labels":["peace","esteem","confidence"]}', ['peace', 'esteem', 'confidence']),
  m('gpt-4o-mini+schema', '{"labels":["sadness","suffering","pain","fatigue"]}', ['sadness', 'suffering', 'pain'], true),
  m('gpt-4o-mini+schema', '{"labels":[]}', invalid('no-label')),
  m('gpt-4o-mini+schema', { content: null, refusal: "I'm sorry, but I can't help with that." }, invalid('refusal')),

  // gpt-4o-mini, plain text
  b('gpt-4o-mini', 'Happiness', 'happiness'),
  b('gpt-4o-mini', 'Sadness.', 'sadness'),
  b('gpt-4o-mini', 'Neutral', 'neutral'),
  b('gpt-4o-mini', 'Surprise.', 'surprise'),
  b('gpt-4o-mini', 'The emotion is most likely **fear**.', 'fear'),
  b('gpt-4o-mini', 'Based on the valence of -0.62 and arousal of 0.30, the person is most likely feeling anger.', 'anger'),
  b('gpt-4o-mini', 'Given the low valence and low arousal, the most fitting label is sadness.', 'sadness'),
  b('gpt-4o-mini', 'Happiness. The high valence and moderate arousal suggest a positive, pleasant state.', 'happiness'),
  b('gpt-4o-mini', 'Neutral. With valence near zero and slightly low arousal, there is no strong emotion.', 'neutral'),
  b('gpt-4o-mini', 'The person is likely feeling surprise rather than fear.', 'surprise'),
  b('gpt-4o-mini', 'Fear — the negative valence combined with heightened arousal points to apprehension rather than anger.', 'fear'),
  b('gpt-4o-mini', 'Disgust. Although anger is also negative, the low arousal fits disgust better.', 'disgust'),
  b('gpt-4o-mini', "I'm sorry, but I can't determine a person's emotions from numerical values alone.", invalid('refusal')),
  b('gpt-4o-mini', 'Happiness, though surprise is also possible given the arousal.', 'happiness'),
  b('gpt-4o-mini', "If I had to choose one, I'd say sadness, although fear is close.", 'sadness'),
  m('gpt-4o-mini', 'Engagement, Anticipation, Confidence', ['engagement', 'anticipation', 'confidence']),
  m('gpt-4o-mini', 'Sadness, Fatigue', ['sadness', 'fatigue']),
  m('gpt-4o-mini', 'Peace, Happiness.', ['peace', 'happiness']),
  m('gpt-4o-mini', 'Annoyance, Disapproval, Anger', ['annoyance', 'disapproval', 'anger']),

  // Llama 3.2 1B
  b('llama3.2-1b', 'Happiness', 'happiness'),
  b('llama3.2-1b', 'Happy', 'happiness'),
  b('llama3.2-1b', 'Sad', 'sadness'),
  b('llama3.2-1b', 'Fear.', 'fear'),
  b('llama3.2-1b', 'Fearful', 'fear'),
  b('llama3.2-1b', 'The answer is Sadness.', 'sadness'),
  b('llama3.2-1b', 'I would classify this emotion as Neutral.', 'neutral'),
  b('llama3.2-1b', 'Based on the valence and arousal values, I would say the emotion is: **Anger**', 'anger'),
  b('llama3.2-1b', 'Emotion: Surprise', 'surprise'),
  b('llama3.2-1b', 'The emotion is: Disgust', 'disgust'),
  b('llama3.2-1b', 'The correct answer is: Happiness', 'happiness'),
  b('llama3.2-1b', 'Anger\n\nExplanation: The valence is negative and the arousal is positive, which is typical of anger.', 'anger'),
  b('llama3.2-1b', 'Valence: 0.87\nArousal: 0.26\nEmotion: Happiness', 'happiness'),
  b('llama3.2-1b', 'Sadness (low valence, low arousal)', 'sadness'),
  b('llama3.2-1b', '1. Sadness', 'sadness'),
  b('llama3.2-1b', "**Sadness**\n\nThe valence of -0.73 indicates a negative emotion, and the arousal of -0.38 indicates low energy. This combination is typical of sadness.", 'sadness'),
  b('llama3.2-1b', "{'label': 'fear'}", 'fear'),
  b('llama3.2-1b', "I can't provide a classification of emotions based on valence-arousal values. Is there anything else I can help you with?", invalid('refusal')),
  b('llama3.2-1b', "I can't help with that.", invalid('refusal')),
  b('llama3.2-1b', 'happiness, sadness, anger, fear, surprise, disgust, neutral', invalid('ambiguous')),
  b('llama3.2-1b', 'Contempt', invalid('no-label')),
  b('llama3.2-1b', 'Excited', invalid('no-label')),
  b('llama3.2-1b', 'Calm', invalid('no-label')),
  b('llama3.2-1b', '', invalid('empty')),
  b('llama3.2-1b', '   \n', invalid('empty')),
  m('llama3.2-1b', 'Happiness, Excitement, Pleasure', ['happiness', 'excitement', 'pleasure']),
  m('llama3.2-1b', 'Happiness, Excitement, and Pleasure', ['happiness', 'excitement', 'pleasure']),
  m('llama3.2-1b', 'Peace, Affection, Esteem, Confidence, Happiness', ['peace', 'affection', 'esteem'], true),
  m('llama3.2-1b', 'Calm', invalid('no-label')),
  m('llama3.2-1b', "I can't help with that. Is there anything else I can help you with?", invalid('refusal')),

  // Llama 3.2 3B
  b('llama3.2-3b', 'Given the valence of -0.62 (negative) and arousal of 0.30 (moderate), the most likely emotion is **Anger**.', 'anger'),
  b('llama3.2-3b', 'Based on the provided values, I would categorize the emotion as Fear. The negative valence suggests an unpleasant emotion, and the moderate arousal suggests some level of activation, which is consistent with fear rather than sadness.', 'fear'),
  b('llama3.2-3b', 'The person is most likely feeling happiness. A high valence indicates a positive emotion, and a moderate arousal indicates some excitement, which could also suggest surprise, but happiness is the best fit.', 'happiness'),
  b('llama3.2-3b', 'Neutral. The valence is close to zero, and the arousal is low, indicating a calm state.', 'neutral'),
  b('llama3.2-3b', 'Surprise is the most likely emotion, given the positive valence and moderate arousal.', 'surprise'),
  b('llama3.2-3b', "Based on the valence and arousal values, the emotion is likely Disgust. However, it's worth noting that valence-arousal values alone may not be sufficient to accurately determine an emotion.", 'disgust'),
  b('llama3.2-3b', 'It could be either anger or fear, as both have negative valence and elevated arousal.', invalid('ambiguous')),
  b('llama3.2-3b', "I'm not able to determine the emotion with certainty, but based on the values, sadness is the most likely.", 'sadness'),
  b('llama3.2-3b', "I can't provide a diagnosis or classification of a person's emotional state. If you're concerned about someone's well-being, consider reaching out to a mental health professional.", invalid('refusal')),
  b('llama3.2-3b', 'The emotion is **Sadness**. While fear also has negative valence, its arousal is higher.', 'sadness'),
  b('llama3.2-3b', 'Valence -0.7 and arousal 0.6 point to a negative, activated state such as anger or fear.\nFinal answer: Fear', 'fear'),
  b('llama3.2-3b', 'Initial guess:\nEmotion: Fear\n\nOn reflection, the arousal of 0.30 is higher than fear usually shows.\nFinal answer: Anger', 'anger'),
  b('llama3.2-3b', 'At first glance the emotion is surprise. Looking at the arousal more carefully, though, the emotion is happiness.', 'happiness'),
  m('llama3.2-3b', 'Based on the values, the person may feel: Excitement, Surprise, Happiness', ['excitement', 'surprise', 'happiness']),
  m('llama3.2-3b', 'The person likely feels fatigue and sadness, not anger.', ['fatigue', 'sadness']),
  m('llama3.2-3b', 'The person appears tired and uneasy.', ['fatigue', 'disquietment']),

  // Mistral 7B
  b('mistral-7b', ' Happiness', 'happiness'),
  b('mistral-7b', 'The emotion is happiness.', 'happiness'),
  b('mistral-7b', 'Based on the given valence and arousal values, the most likely emotion is Surprise. Valence of 0.39 indicates a slightly positive emotion, and arousal of 0.24 indicates mild activation. Surprise can be associated with both positive and negative valence, but in this case, the positive valence suggests a pleasant surprise.', 'surprise'),
  b('mistral-7b', 'Sadness\n\nNote: This is a simplified interpretation based on the circumplex model of affect. Actual emotions can be more complex.', 'sadness'),
  b('mistral-7b', 'The emotion associated with a valence of -0.58 and an arousal of -0.03 is disgust. This emotion is characterized by negative valence and neutral arousal.', 'disgust'),
  b('mistral-7b', 'Fear (high arousal, negative valence)', 'fear'),
  b('mistral-7b', 'The emotion is Disgust.\n\nExplanation: Disgust is a negative emotion with low to moderate arousal.', 'disgust'),
  b('mistral-7b', 'Based on the values provided (valence: 0.13, arousal: -0.39), the emotion would be neutral or slightly content.', invalid('ambiguous')),
  b('mistral-7b', "I'm an AI and don't have the ability to directly perceive emotions from numerical values. However, based on the circumplex model, a valence of 0.87 and an arousal of 0.26 would typically correspond to happiness.", 'happiness'),
  b('mistral-7b', "I'm an AI and cannot perceive emotions. I can only process text.", invalid('refusal')),
  b('mistral-7b', 'Not happiness; this looks more like surprise.', 'surprise'),
  b('mistral-7b', 'Anger. The negative valence indicates displeasure, and the positive arousal indicates high energy, which are characteristic of anger. It is not sadness, which would have low arousal.', 'anger'),
  b('mistral-7b', 'Here is my answer:\n{"reasoning": "Negative valence, slightly positive arousal, not sadness.", "label": "fear", "confidence": 0.7}\nI hope this helps!', 'fear'),
  b('mistral-7b', 'The emotion that best fits these values is neutral.', 'neutral'),
  b('mistral-7b', 'The emotion is likely happiness. If the arousal were higher, the emotion would be surprise.', 'happiness'),
  m('mistral-7b', ' Sympathy, Sensitivity', ['sympathy', 'sensitivity']),
  m('mistral-7b', 'Embarrassment and Yearning', ['embarrassment', 'yearning']),
  m('mistral-7b', 'Aversion, Disapproval\n\nNote: these labels reflect the negative valence.', ['aversion', 'disapproval']),

  // Qwen 2.5
  b('qwen2.5', 'Happiness', 'happiness'),
  b('qwen2.5', '```json\n{"label": "Sadness"}\n```', 'sadness'),
  b('qwen2.5', '{"label": "Fear"}', 'fear'),
  b('qwen2.5', '{\n  "label": "anger"\n}', 'anger'),
  b('qwen2.5', 'Emotion: **Surprise**', 'surprise'),
  b('qwen2.5', '**Emotion:** Neutral', 'neutral'),
  b('qwen2.5', 'The emotion is **sadness**.', 'sadness'),
  b('qwen2.5', 'Based on the given values, the most likely emotion is **happiness**.', 'happiness'),
  b('qwen2.5', '```\nDisgust\n```', 'disgust'),
  b('qwen2.5', '```json\n{"label": "fear"}\n```\n\nThe negative valence and slightly elevated arousal suggest fear rather than anger.', 'fear'),
  b('qwen2.5', '```json\n{"emotion": "Happy", "explanation": "High valence and moderate arousal."}\n```', 'happiness'),
  b('qwen2.5', '```json\n{"label": "contempt"}\n```', invalid('no-label')),
  b('qwen2.5', 'Anger.', 'anger'),
  b('qwen2.5', 'The required format is {"label": "happiness"} for a happy face. For these values:\n```json\n{"label": "sadness"}\n```', 'sadness'),
  m('qwen2.5', '["Peace", "Happiness"]', ['peace', 'happiness']),
  m('qwen2.5', '```json\n{"labels": ["Engagement", "Anticipation"]}\n```', ['engagement', 'anticipation']),
  m('qwen2.5', 'Labels: Sadness, Suffering, Pain', ['sadness', 'suffering', 'pain']),
  m('qwen2.5', '["Fear", "Disquietment"]', ['fear', 'disquietment']),
  m('qwen2.5', '{"labels": ["Pain", "Suffering"]}', ['pain', 'suffering']),

  // Qwen3 (think blocks through Ollama / llama.cpp; Ollama's reasoning field)
  b('qwen3', "<think>\nOkay, let's see. The valence is 0.87, which is very positive, and arousal is 0.26. That could be surprise, but happiness fits better.\n</think>\n\nHappiness", 'happiness'),
  b('qwen3', '<think>\n\n</think>\n\nSadness', 'sadness'),
  b('qwen3', '<think>\nNegative valence, high arousal: anger or fear. Anger sits at -0.62, 0.30, which is closer.\n</think>\n\n**Anger**', 'anger'),
  b('qwen3', '<think>\nThe answer is clearly neutral.\n</think>\n\n', invalid('empty')),
  b('qwen3', { content: '<think>\nLet me think about this. Valence -0.73 means negative, low arousal, so sadness or', finish_reason: 'length' }, invalid('truncated')),
  b('qwen3', 'Alright, the values suggest something unpleasant, maybe disgust.\n</think>\n\nFear', 'fear'),
  b('qwen3', { content: 'Surprise', reasoning: 'Positive valence with some arousal: happiness or surprise. The arousal is a bit high for happiness.' }, 'surprise'),
  b('qwen3', { content: '', reasoning: 'Thinking about it, the values point to happiness', finish_reason: 'length' }, invalid('truncated')),
  b('qwen3', { content: '', reasoning: 'The answer is happiness.' }, invalid('empty')),
  b('qwen3', '<think>\nValence 0.13 and arousal -0.39: no clear emotion, so not anger, not fear.\n</think>\n\nThe emotion is neutral.', 'neutral'),
  b('qwen3', "<think>\nThey want one label. Disgust is negative with low arousal, like these values. Anger would be higher arousal.\n</think>\n\nDisgust", 'disgust'),
  m('qwen3', '<think>\nCould be happiness or excitement, or peace.\n</think>\n\nExcitement, Anticipation', ['excitement', 'anticipation']),
  m('qwen3', '<think>\n\n</think>\n\nPeace, Pleasure', ['peace', 'pleasure']),
  m('qwen3', { content: 'Sadness, Suffering', reasoning: 'Perhaps pain or fatigue too? Keep it to two.' }, ['sadness', 'suffering']),

  // Gemma 2 / 3
  b('gemma', 'Happiness \n', 'happiness'),
  b('gemma', 'Sadness 😔', 'sadness'),
  b('gemma', "**Surprise** \n\nHere's why:\n\n* **Positive Valence (0.39):** Indicates a pleasant emotion.\n* **Moderate Arousal (0.24):** Suggests some activation but not extreme.\n\nSurprise fits this combination, as it can be pleasant and involves a moderate level of arousal. While happiness is also positive, it typically has lower arousal.", 'surprise'),
  b('gemma', 'The emotion is likely **fear**. \n\n* **Valence:** -0.69 indicates a negative emotion.\n* **Arousal:** 0.03 is close to neutral, suggesting a state of tension.', 'fear'),
  b('gemma', '**Neutral** \n\nThe values are close to the center of the circumplex, indicating no strong emotion.', 'neutral'),
  b('gemma', 'Anger 😠 \n\nThe negative valence combined with elevated arousal points towards anger rather than sadness or fear.', 'anger'),
  b('gemma', "I'm sorry, but I cannot provide an emotion label based solely on valence and arousal values.", invalid('refusal')),
  b('gemma', '**Disgust**', 'disgust'),
  b('gemma', "**Happiness** 😊\n\nHere's why:\n\n* High valence means a pleasant feeling.\n* Moderate arousal rules out sadness and means it isn't neutral either.", 'happiness'),
  b('gemma', 'Sadness. \n\nLow valence and low arousal are classic signs of sadness, not anger or fear.', 'sadness'),
  m('gemma', '* Sadness\n* Suffering\n* Fatigue', ['sadness', 'suffering', 'fatigue']),
  m('gemma', '**Labels:** Peace, Esteem', ['peace', 'esteem']),
  m('gemma', '1. Sadness\n2. Fatigue\n3. Disconnection', ['sadness', 'fatigue', 'disconnection']),
  m('gemma', '- Anticipation\n- Engagement', ['anticipation', 'engagement']),

  // DeepSeek-R1 distills
  b('deepseek-r1', `${R1_THINK_HAPPY}The emotion most likely felt is **happiness**.`, 'happiness'),
  b('deepseek-r1', '<think>\nLow valence, low arousal. Fear has higher arousal. Sadness it is.\n</think>\n\n**Answer:** Sadness', 'sadness'),
  b('deepseek-r1', '<think>\nNegative valence, arousal near zero. Maybe anger? No, anger has more arousal.\n</think>\n\nThe emotion is \\boxed{fear}.', 'fear'),
  b('deepseek-r1', '\\boxed{Disgust}', 'disgust'),
  b('deepseek-r1', '<think>\nFirst thought \\boxed{anger}? No.\n</think>\n\nA first reading gives \\boxed{fear}, but with arousal near zero the better fit is \\boxed{disgust}.', 'disgust'),
  b('deepseek-r1', '<think>\nHmm, valence 0.13 and arousal -0.39.\n</think>\n\n**Final Answer**\n\\boxed{neutral}', 'neutral'),
  b('deepseek-r1', "<think>\nOkay, let's break it down.\n</think>\n\nTo determine the emotion:\n\n1. **Valence 0.39** is positive, which rules out anger, fear and sadness.\n2. **Arousal 0.24** is moderate, which fits both happiness and surprise.\n3. Surprise's reference point (0.39, 0.24) matches exactly.\n\nAnswer: Surprise", 'surprise'),
  b('deepseek-r1', 'First, valence of -0.58 is negative, so disgust or anger. Arousal -0.03 is low, so not anger.\n</think>\n\nDisgust', 'disgust'),
  b('deepseek-r1', { content: 'Anger', reasoning_content: 'The user gives valence -0.62 and arousal 0.30. Maybe fear? Fear is at -0.69, 0.03, so anger is closer.' }, 'anger'),
  b('deepseek-r1', { content: '<think>\nOkay, let me start by recalling the circumplex model. Happiness is high valence, moderate arousal, while', finish_reason: 'length' }, invalid('truncated')),
  b('deepseek-r1', { content: `${R1_THINK_HAPPY}The emotion is sad`, finish_reason: 'length' }, invalid('truncated')),
  b('deepseek-r1', { content: `${R1_THINK_HAPPY}Answer: Happiness\n\nExplanation: The`, finish_reason: 'length' }, 'happiness'),
  b('deepseek-r1', { content: 'Happiness', finish_reason: 'length' }, 'happiness'),
  b('deepseek-r1', "<think>\nThe user asks me to read emotions, which I can do from the circumplex.\n</think>\n\nI'm sorry, but I can't determine emotions reliably from two numbers.", invalid('refusal')),
  b('deepseek-r1', '<think>\nValence 0.87 is very positive, arousal moderate.\n</think>\n\n**Happiness**\n\nThe high valence indicates a positive emotion; surprise would need higher arousal.', 'happiness'),
  m('deepseek-r1', '<think>\nNegative valence and low arousal: sadness, maybe fatigue; not anger.\n</think>\n\nSadness, Fatigue', ['sadness', 'fatigue']),
  m('deepseek-r1', { content: 'Esteem, Confidenc', finish_reason: 'length' }, invalid('truncated')),
  m('deepseek-r1', { content: 'Esteem, Confidence', finish_reason: 'length' }, ['esteem', 'confidence']),
  m('deepseek-r1', { content: 'Fear, Disquietment', reasoning_content: 'Negative valence, some arousal. Not peace, not happiness.' }, ['fear', 'disquietment']),

  // Shapes any family sends now and then: case, quotes, markdown, negation, hedges, answer lines
  b('gpt-4o-mini', 'HAPPINESS', 'happiness'),
  b('llama3.2-1b', '"Fear"', 'fear'),
  b('qwen2.5', "'Sadness'", 'sadness'),
  b('llama3.2-1b', 'Answer: neutral', 'neutral'),
  b('gpt-4o-mini', 'Final answer: Disgust', 'disgust'),
  b('llama3.2-3b', 'The person seems neither happy nor sad; the expression is neutral.', 'neutral'),
  b('gpt-4o-mini', 'Sadness rather than anger.', 'sadness'),
  b('mistral-7b', 'Not anger, but fear.', 'fear'),
  b('llama3.2-3b', "I don't think it's anger; it's more likely fear.", 'fear'),
  b('llama3.2-1b', 'Happy or surprised, hard to say.', invalid('ambiguous')),
  b('mistral-7b', 'It might be surprise, but it could also be happiness.', invalid('ambiguous')),
  b('llama3.2-1b', 'The person feels bored.', invalid('no-label')),
  b('gemma', '### Emotion: Anger', 'anger'),
  b('qwen2.5', 'Let me reason step by step. Valence is 0.8, which is very positive, and arousal is 0.3. High valence could also fit surprise.\nAnswer: happiness', 'happiness'),
  b('gpt-4o-mini', "I can't be fully certain, since the values are noisy.\nAnswer: sadness", 'sadness'),
  b('gpt-4o-mini', 'Answer: Surprise\n\nReasoning: positive valence, and the arousal is too high for a neutral state. Answer options like happiness fit less well.', 'surprise'),
  b('llama3.2-3b', 'The answer is happiness. Answer: Happiness', 'happiness'),
  m('gpt-4o-mini', 'Labels: Annoyance; Anger; Disapproval; Aversion', ['annoyance', 'anger', 'disapproval'], true),
  m('gpt-4o-mini', 'Doubt/Confusion, Disquietment', ['doubt/confusion', 'disquietment']),
  m('mistral-7b', 'Not sadness; more like Fatigue and Disconnection.', ['fatigue', 'disconnection']),
  m('llama3.2-1b', 'Doubt or confusion', ['doubt/confusion']),
  m('gemma', 'Pain.', ['pain']),
  m('qwen2.5', 'The person could feel doubt at first.\nLabels: Engagement, Confidence', ['engagement', 'confidence']),
  m('llama3.2-1b', '', invalid('empty')),
  m('gpt-4o-mini', 'No doubt, she is excited!', ['excitement']),
  m('mistral-7b', 'Something between calm and content.', invalid('no-label')),

  // JSON under the keys models pick when no schema names one, with reasoning beside the answer that
  // names other labels: read as prose, each of these would read differently (or not at all).
  b('qwen2.5', '{"emotion": "Fear", "reasoning": "Anger and disgust are also negative, but the arousal of 0.03 is too low for anger."}', 'fear'),
  b('llama3.2-3b', '{"reasoning": "Anger and disgust are both negative; the low arousal points elsewhere.", "answer": "Fear"}', 'fear'),
  b('mistral-7b', '{"reasoning": "Surprise and happiness are both positive; the arousal is moderate.", "prediction": "happiness", "confidence": 0.8}', 'happiness'),
  b('deepseek-r1', '<think>\nThe JSON needs a final_answer key.\n</think>\n\n{"analysis": "Sadness and fear are both negative; arousal near zero rules out fear.", "final_answer": "Disgust"}', 'disgust'),
  b('gemma', '```json\n{"explanation": "Anger and fear share negative valence; low arousal fits neither.", "category": "Sadness"}\n```', 'sadness'),
  b('llama3.2-1b', '{"reasoning": "Happiness and surprise are both positive.", "classification": "Surprise"}', 'surprise'),
  b('gpt-4o-mini', 'Sure! Here is the classification:\n{"label": "anger", "reasoning": "Fear and disgust are also negative, but the arousal of 0.30 fits anger."}', 'anger'),
  b('gpt-4o-mini+schema', '{"label": null, "reason": "Two numbers are not enough to name an emotion."}', invalid('no-label')),
  b('qwen2.5', '{"reasoning": "surprise would need more arousal; valence 0.87 lies in (0.5, 1], strongly positive", "label": "happiness"}', 'happiness'),
  b('qwen2.5', '{"reasoning": "The format asked for is {\\"label\\": \\"<emotion>\\"}; anger and fear are negative, so", "label": "surprise"}', 'surprise'),
  b('llama3.2-1b', '["Fear", 0.85]', 'fear'),
  m('qwen2.5', '{"emotions": ["Fatigue", "Sadness"], "reasoning": "Low arousal rules out excitement and anger."}', ['fatigue', 'sadness']),
  m('gemma', '{"reasoning": "Not excitement or anger: the arousal is low.", "categories": ["Peace", "Esteem"]}', ['peace', 'esteem']),
  m('llama3.2-3b', '{"labels": ["Fatigue", "Sadness"], "reasoning": "Excitement and anger need high arousal."}', ['fatigue', 'sadness']),
  m('mistral-7b', 'After weighing the options, my labels are ["Fatigue", "Sadness"], since excitement and anger need more arousal.', ['fatigue', 'sadness']),
  m('gpt-4o-mini', '[]', invalid('no-label')),
  m('llama3.2-1b', 'Labels: []\n\nNone fits exactly; the closest are peace and esteem.', ['peace', 'esteem']),
  m('llama3.2-1b', 'Labels: ["Sadness", "Fatigue"}', ['sadness', 'fatigue']),
  m('qwen2.5', { content: '[{"label": "Sadness", "confidence": 0.8}, {"label": "Fatigue", "confi', finish_reason: 'length' }, ['sadness']),
  b('gpt-4o-mini', { content: 'Here is the JSON:\n{"label": "fear", "reasoning": "The valence is negative and', finish_reason: 'length' }, invalid('truncated')),
  b('qwen2.5', '```Sadness```', 'sadness'),
  b('qwen2.5', '```text\nDisgust\n```', 'disgust'),
  m('qwen2.5', { content: '```plaintext\nPeace, Esteem\n```', finish_reason: 'length' }, ['peace', 'esteem']),

  // Answer lines in the forms models write them: numbered steps, bold, a space before the colon, key=value.
  b('deepseek-r1', '1. Valence -0.69 is negative, as in anger, fear or disgust.\n2. Arousal 0.03 is low for anger.\n3. Answer: Fear', 'fear'),
  b('deepseek-r1', "<think>\nTen steps, then the answer.\n</think>\n\n1. Valence is -0.73.\n2. Arousal is -0.38.\n3. Anger needs high arousal.\n4. Fear needs high arousal.\n5. Surprise is positive.\n6. Happiness is positive.\n7. Disgust is close.\n8. Neutral is near zero.\n9. Sadness matches.\n10. Final answer: Sadness", 'sadness'),
  b('deepseek-r1', 'Valence -0.69 is negative, as in anger, fear or disgust; the arousal is low for anger.\n3. **Final answer:** Fear', 'fear'),
  b('llama3.2-1b', 'Valence: -0.69\nArousal: 0.03\nClosest labels: fear or disgust\nEmotion: Fear', 'fear'),
  b('llama3.2-3b', 'The negative valence could mean anger or disgust; the low arousal favours disgust.\nLabel: Disgust', 'disgust'),
  b('mistral-7b', 'The negative valence could mean anger or fear; the arousal favours fear.\nPrediction: Fear', 'fear'),
  b('mistral-7b', 'The negative valence could mean anger or disgust; the low arousal favours disgust.\nFinal answer : Disgust', 'disgust'),
  b('llama3.2-1b', 'Valence is low and arousal is low, so sadness rather than fear or anger.\nemotion=sadness', 'sadness'),
  b('qwen2.5', 'Negative valence fits anger, fear or disgust; the low arousal rules out anger.\nfinal_answer: Fear', 'fear'),
  b('gemma', 'Anger and fear are both negative, and either could fit.\n\n- **Emotion:** Fear', 'fear'),
  b('deepseek-r1', '<think>\nLow valence, low arousal.\n</think>\n\nAnger and fear need more arousal.\n\n**Final Answer:**\nSadness', 'sadness'),
  b('llama3.2-1b', 'Answer: Anger or Fear', invalid('ambiguous')),
  b('gpt-4o-mini', { content: "I'm sorry, but I can't determine a person's emotions from two numbers. If you", finish_reason: 'length' }, invalid('refusal')),

  // Prose that states its answer after naming others: emphasis and spacing as models write them.
  b('mistral-7b', 'Both fear and anger have negative valence, but the emotion **most likely** is anger.', 'anger'),
  b('llama3.2-3b', 'Anger and fear both fit negative valence; weighing the low arousal, I would categorize the **dominant emotion** as Fear.', 'fear'),
  b('llama3.2-1b', 'Anger and fear both fit here, so I choose fear.', 'fear'),
  b('gpt-4o-mini', "Anger and fear are close here, but I'd **go with** Fear.", 'fear'),
  b('mistral-7b', 'Happiness fits best. The emotion would be surprise if the arousal were higher.', 'happiness'),
  b('llama3.2-3b', 'It could be anger or fear. Looking again, the emotion is fear.', 'fear'),
  b('llama3.2-3b', 'Anger and disgust are both negative. Looking at the arousal, the emotion is fear. It could also be disgust.', 'fear'),
  b('mistral-7b', 'The emotion is perhaps fear; anger and disgust fit less well', invalid('ambiguous')),

  // Refusal phrases, and what follows them.
  b('gpt-4o-mini', "Sadness. I can't see anything pointing to anger or fear here.", 'sadness'),
  b('llama3.2-3b', "I'm sorry, I can't determine this reliably; anger would be a guess, but fear is most likely.", 'fear'),
  b('gpt-4o-mini', "Anger seems likely, but fear is possible too. I'm sorry, I can't be more certain from two numbers.", invalid('refusal')),
  m('gpt-4o-mini', "I'm sorry, I can't be certain, but the person may feel sadness and fatigue.", ['sadness', 'fatigue']),

  // Negation: every negating word, curly apostrophes, a negation far back in the clause.
  b('gpt-4o-mini', 'It isn\u2019t anger; it\u2019s fear.', 'fear'),
  b('llama3.2-3b', 'The person is neutral and never angry.', 'neutral'),
  b('mistral-7b', 'The person is not angry, nor sad; the expression is neutral.', 'neutral'),
  b('llama3.2-3b', 'A neutral face, without anger.', 'neutral'),
  b('gemma', 'Neutral: hardly happy at all.', 'neutral'),
  b('mistral-7b', 'The expression is neutral and lacks joy.', 'neutral'),
  b('llama3.2-3b', 'Neutral, lacking anger or drive.', 'neutral'),
  b('gpt-4o-mini', 'Neutral: an absence of fear.', 'neutral'),
  b('gpt-4o-mini', 'Sadness with no sign of anger.', 'sadness'),
  b('llama3.2-3b', 'There is no doubt that the person is afraid.', 'fear'),
  b('llama3.2-1b', 'The person looks grossed out.', 'disgust'),
  b('mistral-7b', 'No particular emotion.', 'neutral'),

  // Cut at the token limit in a complete form: list glue, slashes, multi-word synonyms; or nothing but a number.
  m('deepseek-r1', { content: 'Esteem and Confidence', finish_reason: 'length' }, ['esteem', 'confidence']),
  m('deepseek-r1', { content: 'Doubt/Confusion', finish_reason: 'length' }, ['doubt/confusion']),
  m('llama3.2-1b', { content: 'Doubt or confusion', finish_reason: 'length' }, ['doubt/confusion']),
  m('gemma', { content: '1.', finish_reason: 'length' }, invalid('truncated')),

  // Reasoning: a stray closing tag after the answer (Qwen3 templates) leaves the answer where it is.
  b('qwen3', '<think>\nNegative valence, near-zero arousal: disgust or fear.\n</think>\n\nFear</think>', 'fear'),
];

/** Whether an entry's reply carries reasoning (a block in the content or a reasoning field) that the reader must keep apart. */
export function hasReasoning(entry: CorpusEntry): boolean {
  const reply = typeof entry.reply === 'string' ? { content: entry.reply } : entry.reply;
  // An empty block (Qwen3's no-think mode) holds no reasoning.
  return /<\/?think>/.test((reply.content ?? '').replace(/<think>\s*<\/think>/g, '')) || !!reply.reasoning_content || !!reply.reasoning;
}
