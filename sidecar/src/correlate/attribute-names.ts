/**
 * Attribute names the sidecar writes. The GenAI, process and thread names are still "incubating"
 * in @opentelemetry/semantic-conventions, whose docs advise copying them rather than importing the
 * unstable entry point; the `agentsight.*` names are ours.
 */
export const ATTR = {
  processPid: 'process.pid',
  processParentPid: 'process.parent_pid',
  processCommand: 'process.command',
  processCommandArgs: 'process.command_args',
  processExecutablePath: 'process.executable.path',
  processExecutableName: 'process.executable.name',
  processExitCode: 'process.exit.code',
  threadId: 'thread.id',

  filePath: 'file.path',
  networkPeerAddress: 'network.peer.address',
  networkPeerPort: 'network.peer.port',
  networkType: 'network.type',
  networkProtocolName: 'network.protocol.name',
  networkProtocolVersion: 'network.protocol.version',

  httpRequestMethod: 'http.request.method',
  httpResponseStatusCode: 'http.response.status_code',
  urlFull: 'url.full',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',

  genAiOperationName: 'gen_ai.operation.name',
  genAiProviderName: 'gen_ai.provider.name',
  genAiRequestModel: 'gen_ai.request.model',
  genAiRequestMaxTokens: 'gen_ai.request.max_tokens',
  genAiRequestTemperature: 'gen_ai.request.temperature',
  genAiRequestTopP: 'gen_ai.request.top_p',
  genAiRequestStopSequences: 'gen_ai.request.stop_sequences',
  genAiRequestSeed: 'gen_ai.request.seed',
  genAiRequestStream: 'gen_ai.request.stream',
  genAiResponseId: 'gen_ai.response.id',
  genAiResponseModel: 'gen_ai.response.model',
  genAiResponseFinishReasons: 'gen_ai.response.finish_reasons',
  genAiResponseTimeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  genAiUsageInputTokens: 'gen_ai.usage.input_tokens',
  genAiUsageOutputTokens: 'gen_ai.usage.output_tokens',
  genAiUsageCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  genAiUsageCacheCreationInputTokens: 'gen_ai.usage.cache_creation.input_tokens',
  genAiUsageReasoningOutputTokens: 'gen_ai.usage.reasoning.output_tokens',
  genAiInputMessages: 'gen_ai.input.messages',
  genAiOutputMessages: 'gen_ai.output.messages',
  genAiSystemInstructions: 'gen_ai.system_instructions',

  source: 'agentsight.source',
  correlation: 'agentsight.correlation',
  connectionId: 'agentsight.connection.id',
  processRunning: 'agentsight.process.running',
  processExitSignal: 'agentsight.process.exit.signal',
  processArgvTruncated: 'agentsight.process.argv_truncated',
  fileFlags: 'agentsight.file.flags',
  fileNewPath: 'agentsight.file.new_path',
  syscallResult: 'agentsight.syscall.result',
  undecodedReason: 'agentsight.connection.undecoded_reason',
  undecodedBytes: 'agentsight.connection.undecoded_bytes',
  gapCount: 'agentsight.capture.gap_count',
  gapBytes: 'agentsight.capture.gap_bytes',
  exchangeProblem: 'agentsight.http.problem',
  requestBody: 'agentsight.http.request.body',
  responseBody: 'agentsight.http.response.body',
  bodyTruncated: 'agentsight.http.body_truncated',
  /** Seconds from the first call into the TLS handshake to its completion (first exchange of a connection). */
  tlsHandshakeDuration: 'agentsight.tls.handshake.duration',
  tlsHandshakeResult: 'agentsight.tls.handshake.result',
} as const;

/** Span event names. */
export const EVENT = {
  fileOpen: 'file.open',
  fileUnlink: 'file.unlink',
  fileRename: 'file.rename',
  fileMkdir: 'file.mkdir',
  networkConnect: 'network.connect',
  undecodedConnection: 'agentsight.connection.undecoded',
  firstChunk: 'gen_ai.first_chunk',
  tlsHandshakeFailed: 'agentsight.tls.handshake_failed',
} as const;
