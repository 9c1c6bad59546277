import type Koa from 'koa';

/** Keeps the app's answers (bodies), from an outermost middleware; call before building its callback. */
export function captureAnswers(app: Koa): unknown[] {
  const answers: unknown[] = [];
  app.middleware.unshift(async (ctx, next) => {
    await next();
    answers.push(ctx.body);
  });
  return answers;
}
