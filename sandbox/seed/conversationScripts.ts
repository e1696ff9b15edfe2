/**
 * Short, kind, realistic exchanges between the practice and a patient, in English and Spanish, that the seed strings
 * together into threads. All names, links and amounts are invented.
 */

export type Direction = 'outbound' | 'inbound';
export type Category = 'reminder' | 'notification' | 'instruction';
export type SenderRole = 'practice' | 'clinician' | 'front-desk';

export interface ScriptContext {
  /** The patient's (or related person's) given name. */
  given: string;
  /** When the message is sent. */
  at: Date;
  /** A small deterministic number for variety (0–999). */
  n: number;
}

export interface ScriptStep {
  direction: Direction;
  text: (ctx: ScriptContext) => string;
  category?: Category;
  /** Who sends an outbound step (default clinician). */
  sender?: SenderRole;
}

export type Script = readonly ScriptStep[];

const TIME_ZONE = 'America/New_York';

function inDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * 86_400_000);
}

const EN_DAY = new Intl.DateTimeFormat('en-US', {
  weekday: 'long',
  month: 'short',
  day: 'numeric',
  timeZone: TIME_ZONE,
});
const ES_DAY = new Intl.DateTimeFormat('es-US', {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
  timeZone: TIME_ZONE,
});

function dayEn(date: Date): string {
  return EN_DAY.format(date);
}

function dayEs(date: Date): string {
  return ES_DAY.format(date);
}

const HOURS = ['9:00', '9:30', '10:15', '11:00', '1:30', '2:45', '3:30', '4:15'];
const hour = (n: number): string => HOURS[n % HOURS.length] ?? '9:00';
const code = (n: number): string => (n * 7919).toString(36).padStart(5, 'x').slice(-5);
const out = (text: ScriptStep['text'], extra: Partial<ScriptStep> = {}): ScriptStep => ({
  direction: 'outbound',
  text,
  ...extra,
});
const inb = (text: ScriptStep['text']): ScriptStep => ({ direction: 'inbound', text });

export const ENGLISH_SCRIPTS: readonly Script[] = [
  [
    out(
      (c) =>
        `Hi ${c.given}, this is Riverside Family Medicine. Reminder: you have an appointment with Dr. Lee on ` +
        `${dayEn(inDays(c.at, 3))} at ${hour(c.n)}. Reply C to confirm or call (201) 555-0101 to reschedule.`,
      { category: 'reminder', sender: 'practice' },
    ),
    inb(() => 'C'),
    out(() => 'Thanks, you are confirmed. See you then!', { sender: 'front-desk' }),
  ],
  [
    inb(() => "Hi, I'm almost out of my lisinopril. Could you send a refill to the CVS on Main St?"),
    out((c) => `Hi ${c.given}, Dr. Okafor approved the refill. It should be ready at CVS after 4 pm today.`),
    inb(() => 'Great, thank you so much!'),
  ],
  [
    out(
      (c) =>
        `Hi ${c.given}, your lab results are back and everything looks normal. Dr. Lee will go over them with you at ` +
        'your next visit.',
      { category: 'notification' },
    ),
    inb(() => 'Good to hear, thanks!'),
  ],
  [
    inb(() => 'Is it okay to take ibuprofen with my blood pressure medicine?'),
    out(
      () =>
        'Good question. Acetaminophen (Tylenol) is usually the safer choice with blood pressure medicines. ' +
        'NP Silva is happy to call you if you would like to talk it through.',
    ),
    inb(() => 'Tylenol it is. Thanks for the quick answer.'),
  ],
  [
    out(
      (c) =>
        `Your video visit with NP Silva starts today at ${hour(c.n + 3)}. Join here: ` +
        `https://visit.example.org/r/${code(c.n)}`,
      { category: 'instruction', sender: 'practice' },
    ),
    inb(() => "Thanks, I'll be there."),
  ],
  [
    out(
      (c) =>
        `Hi ${c.given}, you have a balance of $${20 + (c.n % 9) * 5} from your last visit. You can pay at ` +
        'https://pay.example.org or by phone. Thank you!',
      { category: 'notification', sender: 'front-desk' },
    ),
    inb(() => 'Just paid it online.'),
    out(() => 'Got it, thank you!', { sender: 'front-desk' }),
  ],
  [
    out(() => 'Flu shots are in! Walk in Monday to Friday, 9 to 11 am, no appointment needed.', {
      category: 'notification',
      sender: 'practice',
    }),
    inb(() => 'Can I bring my husband too?'),
    out(() => 'Of course, he is welcome. Please bring his insurance card.', { sender: 'front-desk' }),
  ],
  [
    out(
      (c) =>
        `Please fill out your pre-visit form before ${dayEn(inDays(c.at, 2))}: https://forms.example.org/${code(c.n + 1)}`,
      { category: 'instruction', sender: 'front-desk' },
    ),
    inb(() => 'Done!'),
  ],
  [
    inb(() => 'My knee is still sore after the injection last week. Is that normal?'),
    out(
      () =>
        'Some soreness for a week or two is common. Ice for 15 minutes a few times a day helps. If it gets red, hot ' +
        'or swollen, please call us right away.',
    ),
    inb(() => 'Okay, will do. Thank you.'),
  ],
];

export const SPANISH_SCRIPTS: readonly Script[] = [
  [
    out(
      (c) =>
        `Hola ${c.given}, le recordamos su cita con la Dra. Lee el ${dayEs(inDays(c.at, 3))} a las ${hour(c.n)}. ` +
        'Responda C para confirmar o llame al (201) 555-0101 para cambiarla.',
      { category: 'reminder', sender: 'practice' },
    ),
    inb(() => 'C'),
    out(() => '¡Gracias! Su cita está confirmada. Le esperamos.', { sender: 'front-desk' }),
  ],
  [
    inb(() => 'Buenos días, ya casi no me queda metformina. ¿Me pueden mandar la receta a la farmacia?'),
    out((c) => `Hola ${c.given}, el Dr. Okafor aprobó su receta. Estará lista en la farmacia esta tarde.`),
    inb(() => 'Muchas gracias.'),
  ],
  [
    out(
      (c) =>
        `Hola ${c.given}, ya llegaron sus resultados de laboratorio y todo está normal. La Dra. Lee los revisará ` +
        'con usted en su próxima cita.',
      { category: 'notification' },
    ),
    inb(() => 'Qué buena noticia, gracias.'),
  ],
  [
    inb(() => '¿Puedo tomar ibuprofeno con mi medicina de la presión?'),
    out(
      () =>
        'Buena pregunta. El paracetamol (Tylenol) suele ser mejor con las medicinas de la presión. Si quiere, la ' +
        'enfermera Silva le llama para explicarle.',
    ),
    inb(() => 'Sí, por favor, llámeme por la tarde.'),
    out(() => 'Con gusto. Le llamaremos hoy después de las 3.'),
  ],
  [
    out(
      (c) =>
        `Su videoconsulta con la enfermera Silva empieza hoy a las ${hour(c.n + 3)}. Entre aquí: ` +
        `https://visit.example.org/r/${code(c.n)}`,
      { category: 'instruction', sender: 'practice' },
    ),
    inb(() => 'Gracias, ahí estaré.'),
  ],
  [
    out(() => 'Ya llegaron las vacunas contra la gripe. Puede venir de lunes a viernes de 9 a 11, sin cita.', {
      category: 'notification',
      sender: 'practice',
    }),
    inb(() => '¿Puedo llevar a mi esposo?'),
    out(() => '¡Claro que sí! Traiga su tarjeta del seguro, por favor.', { sender: 'front-desk' }),
  ],
  [
    inb(() => '¿A qué hora abren el sábado?'),
    out(() => 'Los sábados abrimos de 9 a 12. ¡Que tenga buen día!', { sender: 'front-desk' }),
  ],
  [
    out(
      (c) =>
        `Por favor complete su formulario antes de su cita del ${dayEs(inDays(c.at, 2))}: ` +
        `https://forms.example.org/${code(c.n + 1)}`,
      { category: 'instruction', sender: 'front-desk' },
    ),
    inb(() => 'Listo, ya lo llené.'),
  ],
];

/** An inbound question left waiting for staff (the thread's needs-response Task). */
export const OPEN_QUESTIONS = {
  en: [
    'Hi, could I get a copy of my vaccination record for school?',
    'Is Dr. Lee available for a quick call this week?',
    'I think I need to move my appointment on Friday. What times do you have?',
    'The pharmacy says they never got my prescription. Could you check?',
  ],
  es: [
    '¿Me pueden dar una cita para la próxima semana, por favor?',
    'Hola, ¿ya llegaron los resultados de mi análisis?',
  ],
} as const;
