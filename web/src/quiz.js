// Quizzes: a question in a lab section, answered with radio buttons,
// checkboxes or a text field, graded by the server (the page never has the
// answers), and the quiz marks of the instructor's grid.

import { errorText } from './api.js';
import { t } from './i18n.js';

let seq = 0;

// renderQuiz fills box (the section's <div class="quiz" data-quiz>) with
// quiz {id, question, choices, multiple, text}. state is its progress
// {status, attempts} or undefined; answer(body) posts the answer and
// resolves to {correct, feedback, section_done}; answered(res) follows a
// graded answer.
export function renderQuiz(box, quiz, state, answer, answered) {
  const form = document.createElement('form');
  form.className = 'quiz-form';
  form.dataset.testid = 'quiz';
  form.dataset.quiz = quiz.id;
  const q = document.createElement('div');
  q.className = 'quiz-question';
  q.innerHTML = quiz.question; // escaped by the server, with <code> spans
  form.append(q);
  const name = `quiz-${quiz.id}-${++seq}`;
  let field = null;
  if (quiz.text) {
    field = document.createElement('input');
    field.type = 'text';
    field.className = 'quiz-text';
    field.dataset.testid = 'quiz-text';
    field.maxLength = 1000;
    field.setAttribute('aria-label', t('quizAnswer'));
    form.append(field);
  } else {
    const list = document.createElement('div');
    list.className = 'quiz-choices';
    (quiz.choices || []).forEach((html, i) => {
      const label = document.createElement('label');
      label.className = 'quiz-choice';
      const input = document.createElement('input');
      input.type = quiz.multiple ? 'checkbox' : 'radio';
      input.name = name;
      input.value = String(i);
      input.dataset.testid = 'quiz-choice';
      const span = document.createElement('span');
      span.innerHTML = html; // escaped by the server
      label.append(input, span);
      list.append(label);
    });
    form.append(list);
  }
  const row = document.createElement('div');
  row.className = 'quiz-row';
  const button = document.createElement('button');
  button.type = 'submit';
  button.className = 'check';
  button.dataset.testid = 'quiz-answer';
  button.textContent = t('quizSubmit');
  const out = document.createElement('p');
  out.className = 'quiz-feedback';
  out.dataset.testid = 'quiz-feedback';
  out.setAttribute('aria-live', 'polite');
  row.append(button, out);
  form.append(row);
  const show = (status, text) => {
    form.dataset.status = status;
    out.className = `quiz-feedback ${status === 'done' ? 'ok' : status === 'failed' ? 'fail' : ''}`;
    out.textContent = text;
  };
  if (state?.status === 'done') show('done', t('quizRightEarlier'));
  else show(state?.status || 'pending', '');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let body;
    if (quiz.text) {
      body = { text: field.value };
    } else {
      const picked = [...form.querySelectorAll('input:checked')].map((x) => Number(x.value));
      if (picked.length === 0) {
        show(form.dataset.status, t('quizPick'));
        return;
      }
      body = { choices: picked };
    }
    button.disabled = true;
    try {
      const res = await answer(body);
      if (res.correct) show('done', t('quizRight'));
      else show('failed', res.feedback ? `${t('quizWrong')} ${res.feedback}` : t('quizWrong'));
      answered(res);
    } catch (err) {
      show(form.dataset.status, errorText(err, t));
    } finally {
      button.disabled = false;
    }
  });
  box.replaceChildren(form);
}

// quizMarks returns the grid's marks of a section's quizzes
// ([{id, status, attempts}]): one per quiz, "?" and its answers.
export function quizMarks(quizzes) {
  const marks = [];
  for (const q of quizzes || []) {
    const span = document.createElement('span');
    span.className = `cell-quiz ${q.status}`;
    span.dataset.testid = 'cell-quiz';
    span.dataset.quiz = q.id;
    span.dataset.status = q.status;
    span.dataset.attempts = String(q.attempts);
    const mark = q.status === 'done' ? '✓' : q.status === 'failed' ? '✗' : '○';
    span.textContent = q.attempts ? `?${mark}×${q.attempts}` : `?${mark}`;
    span.title = t('quizCell', { id: q.id, attempts: q.attempts });
    marks.push(span);
  }
  return marks;
}
