'use client';
/**
 * The chat view of a span's messages (lib/messages reads them from the GenAI, legacy,
 * OpenInference, event and Plano conventions): system instructions, input, output and
 * tools, with roles, tool calls (arguments pretty-printed) and their results. Long
 * content is folded. "Raw" shows the source values as stored.
 *
 * Everything is rendered as React text children, never as HTML or markdown, so a
 * message cannot inject markup or script (tests/e2e/messages.test.ts sends one that tries).
 */
import { useMemo, useState } from 'react';
import { collapseText } from '@/lib/messages/collapse';
import { type ChatMessage, FORMAT_LABELS, type MessagePart, type SpanMessages, type ToolDefinition, extractSpanMessages } from '@/lib/messages';
import type { AttributeMap, SpanEvent } from '@/lib/otlp/span-record';
import styles from './span-messages.module.css';

export function SpanMessagesSection({ span }: { span: { attributes: AttributeMap; events: SpanEvent[] } }) {
  const messages = useMemo(() => extractSpanMessages(span), [span]);
  const [raw, setRaw] = useState(false);
  if (!messages) return null;
  const count = messages.system.length + messages.input.length + messages.output.length;
  return (
    <section className={styles.section} data-testid="span-messages" aria-label="Messages">
      <div className={styles.head}>
        <h3 className={styles.title}>
          Messages <span className={styles.count}>{count}</span>
        </h3>
        <span className={styles.formats} title="Where these messages were read from">
          {messages.formats.map((f) => FORMAT_LABELS[f]).join(' + ')}
        </span>
        <button type="button" className={styles.toggle} aria-pressed={raw} onClick={() => setRaw(!raw)} data-testid="messages-raw-toggle">
          {raw ? 'Chat' : 'Raw'}
        </button>
      </div>
      {messages.problems.map((p, i) => (
        <p key={i} className={styles.problem} data-testid="messages-problem">
          {p}
        </p>
      ))}
      {raw ? <RawSources raw={messages.raw} /> : <ChatView messages={messages} />}
    </section>
  );
}

function ChatView({ messages }: { messages: SpanMessages }) {
  return (
    <div className={styles.chat} data-testid="messages-chat">
      <MessageGroup title="System" list={messages.system} />
      <MessageGroup title="Input" list={messages.input} />
      <MessageGroup title="Output" list={messages.output} />
      {messages.tools.length > 0 ? <ToolList tools={messages.tools} /> : null}
    </div>
  );
}

function MessageGroup({ title, list }: { title: string; list: ChatMessage[] }) {
  if (list.length === 0) return null;
  return (
    <div className={styles.group}>
      <h4 className={styles.groupTitle}>{title}</h4>
      <ol className={styles.messages}>
        {list.map((m, i) => (
          <Message key={i} message={m} />
        ))}
      </ol>
    </div>
  );
}

function Message({ message }: { message: ChatMessage }) {
  return (
    <li className={styles.message} data-role={message.role} data-testid="chat-message">
      <div className={styles.meta}>
        <span className={styles.role} data-testid="chat-role">
          {message.role}
        </span>
        {message.name ? <span className={styles.muted}>{message.name}</span> : null}
        {message.preview ? <span className={styles.tag}>preview</span> : null}
        {message.finishReason ? <span className={styles.muted}>finish: {message.finishReason}</span> : null}
      </div>
      {message.parts.length === 0 ? <p className={styles.muted}>(no content)</p> : null}
      {message.parts.map((part, i) => (
        <Part key={i} part={part} />
      ))}
    </li>
  );
}

function Part({ part }: { part: MessagePart }) {
  switch (part.kind) {
    case 'text':
      return <FoldedText text={part.text} className={styles.text} />;
    case 'reasoning':
      return (
        <div className={styles.reasoning}>
          <span className={styles.partLabel}>reasoning</span>
          <FoldedText text={part.text} className={styles.text} />
        </div>
      );
    case 'tool_call':
      return (
        <div className={styles.toolCall} data-testid="tool-call">
          <div className={styles.partHead}>
            <span className={styles.partLabel}>tool call</span>
            <span className={styles.toolName}>{part.name}</span>
            {part.id ? <span className={styles.muted}>{part.id}</span> : null}
          </div>
          <FoldedText text={part.arguments} className={styles.code} testId="tool-call-arguments" />
        </div>
      );
    case 'tool_result':
      return (
        <div className={styles.toolResult} data-testid="tool-result">
          <div className={styles.partHead}>
            <span className={styles.partLabel}>tool result</span>
            {part.name ? <span className={styles.toolName}>{part.name}</span> : null}
            {part.id ? <span className={styles.muted}>{part.id}</span> : null}
          </div>
          <FoldedText text={part.result} className={styles.code} />
        </div>
      );
    default:
      return (
        <div className={styles.other}>
          <span className={styles.partLabel}>{part.type}</span>
          <FoldedText text={part.text} className={styles.code} />
        </div>
      );
  }
}

/** Text folded past a few lines, with a button for the rest. */
function FoldedText({ text, className, testId }: { text: string; className: string; testId?: string }) {
  const [open, setOpen] = useState(false);
  const folded = collapseText(text);
  const hidden = folded.hiddenChars > 0 && !open;
  return (
    <div>
      <pre className={className} data-testid={testId ?? 'message-text'}>
        {hidden ? `${folded.head}…` : text}
      </pre>
      {folded.hiddenChars > 0 ? (
        <button type="button" className={styles.more} onClick={() => setOpen(!open)} data-testid="message-more">
          {open
            ? 'Show less'
            : `Show all (${folded.hiddenChars.toLocaleString('en-US')} more characters${folded.hiddenLines > 0 ? `, ${folded.hiddenLines.toLocaleString('en-US')} lines` : ''})`}
        </button>
      ) : null}
    </div>
  );
}

function ToolList({ tools }: { tools: ToolDefinition[] }) {
  return (
    <div className={styles.group} data-testid="tool-definitions">
      <h4 className={styles.groupTitle}>Tools offered</h4>
      <ul className={styles.tools}>
        {tools.map((t) => (
          <li key={t.name}>
            {t.parameters ? (
              <details>
                <summary>
                  <span className={styles.toolName}>{t.name}</span>
                  {t.description ? <span className={styles.muted}> {t.description}</span> : null}
                </summary>
                <pre className={styles.code}>{t.parameters}</pre>
              </details>
            ) : (
              <>
                <span className={styles.toolName}>{t.name}</span>
                {t.description ? <span className={styles.muted}> {t.description}</span> : null}
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function RawSources({ raw }: { raw: SpanMessages['raw'] }) {
  return (
    <dl className={styles.raw} data-testid="messages-raw">
      {raw.map((r, i) => (
        <div key={i}>
          <dt>{r.key}</dt>
          <dd>
            <FoldedText text={r.text} className={styles.code} testId="raw-value" />
          </dd>
        </div>
      ))}
    </dl>
  );
}
