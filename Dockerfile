# One image, three entry points. Each Lambda function picks its handler with the image command:
#   http function:   ["http.handler"]    (the default below)
#   worker function: ["worker.handler"]  (ImageConfig.Command in infra/service.yaml)
# The container service (ECS, infra/container.yaml) overrides the entry point instead: the base
# image's ENTRYPOINT is /lambda-entrypoint.sh, and its task definition sets EntryPoint ["node"]
# and Command ["server.mjs"] (both: a new entry point drops the image's CMD). Node is on the
# base image's PATH and its WORKDIR is the task root. Locally:
#   docker run -p 8080:8080 --entrypoint node <image> server.mjs

# --- build: install, typecheck and bundle the entries into dist/ (entries + lazy chunks) ---
FROM public.ecr.aws/docker/library/node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY shared ./shared
COPY services ./services
RUN npm run build

# --- runtime: the AWS Lambda Node.js 22 base image with only the bundles ---
# No NODE_OPTIONS=--enable-source-maps: it parses the map of every module loaded, at each cold
# start; the logger maps a stack when it logs one (shared/stack-trace.ts), from the maps here.
FROM public.ecr.aws/lambda/nodejs:22
COPY --from=build /src/dist/http.mjs /src/dist/http.mjs.map /src/dist/worker.mjs /src/dist/worker.mjs.map /src/dist/server.mjs /src/dist/server.mjs.map ${LAMBDA_TASK_ROOT}/
COPY --from=build /src/dist/chunks ${LAMBDA_TASK_ROOT}/chunks
CMD ["http.handler"]
