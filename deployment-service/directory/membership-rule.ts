/**
 * Dynamic membership rules as Entra ID writes them for Autopilot groups, e.g.
 * `(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))` or `(device.devicePhysicalIDs -any (_ -contains "[ZTDID]"))`
 * (learn.microsoft.com "Dynamic membership rules for groups"; memdocs autopilot/enrollment-autopilot.md): a
 * tokenizer, a recursive-descent parser to a tree, and an evaluator over a device's attributes. Operators and
 * property names are case-insensitive, and so are string comparisons, as in Entra ID.
 *
 * Grammar:
 * ```
 * rule       := or
 * or         := and ("-or" and)*
 * and        := unary ("-and" unary)*
 * unary      := "-not" unary | "(" or ")" | comparison
 * comparison := property operator value | property ("-any" | "-all") "(" "_" operator value ")"
 * property   := "device" "." name
 * value      := "string" | true | false | null | "[" "string" ("," "string")* "]"   (lists with -in / -notIn)
 * ```
 */

/** The rule text is not a rule; `position` is the 0-based character offset of the problem. */
export class MembershipRuleError extends Error {
  readonly code = "MEMBERSHIP_RULE_INVALID";
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} (at character ${position + 1})`);
    this.name = "MembershipRuleError";
  }
}

/** Longest rule accepted (Entra ID's limit is 3072 characters). */
export const MAX_RULE_LENGTH = 3072;

/** Comparison operators. */
export type RuleOperator = "eq" | "ne" | "startswith" | "notstartswith" | "contains" | "notcontains" | "match" | "notmatch" | "in" | "notin";

const OPERATORS: ReadonlySet<string> = new Set<RuleOperator>([
  "eq",
  "ne",
  "startswith",
  "notstartswith",
  "contains",
  "notcontains",
  "match",
  "notmatch",
  "in",
  "notin",
]);

/** Device properties a rule may name, by lower-case name, with their canonical spelling and arity. */
const DEVICE_PROPERTIES: ReadonlyMap<string, { name: DevicePropertyName; multi: boolean }> = new Map(
  (
    [
      ["devicePhysicalIds", true],
      ["deviceId", false],
      ["displayName", false],
      ["deviceManufacturer", false],
      ["deviceModel", false],
      ["enrollmentProfileName", false],
    ] as const
  ).map(([name, multi]) => [name.toLowerCase(), { name, multi }]),
);

/** The attributes of a device a rule is evaluated against. */
export interface RuleDevice {
  readonly devicePhysicalIds: readonly string[];
  readonly deviceId: string;
  readonly displayName: string;
  readonly deviceManufacturer: string;
  readonly deviceModel: string;
  readonly enrollmentProfileName: string;
}

export type DevicePropertyName = keyof RuleDevice;

type RuleValue = { kind: "string"; value: string } | { kind: "boolean"; value: boolean } | { kind: "null" } | { kind: "list"; values: string[] };

/** A parsed rule. */
export type RuleNode =
  | { readonly type: "or" | "and"; readonly operands: readonly RuleNode[] }
  | { readonly type: "not"; readonly operand: RuleNode }
  | { readonly type: "compare"; readonly property: DevicePropertyName; readonly operator: RuleOperator; readonly value: RuleValue }
  | {
      readonly type: "quantified";
      readonly quantifier: "any" | "all";
      readonly property: DevicePropertyName;
      readonly operator: RuleOperator;
      readonly value: RuleValue;
    };

type Token =
  | { kind: "(" | ")" | "[" | "]" | "," | "." | "end"; at: number }
  | { kind: "operator" | "word"; text: string; at: number }
  | { kind: "string"; text: string; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ("()[],.".includes(c)) {
      tokens.push({ kind: c as "(" | ")" | "[" | "]" | "," | ".", at: i });
      i++;
    } else if (c === '"') {
      // A backtick escapes a double quote inside a string, as in Entra ID rules.
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new MembershipRuleError("unterminated string", i);
        const d = text[j]!;
        if (d === "`" && text[j + 1] === '"') {
          value += '"';
          j += 2;
        } else if (d === '"') {
          j++;
          break;
        } else {
          value += d;
          j++;
        }
      }
      tokens.push({ kind: "string", text: value, at: i });
      i = j;
    } else if (c === "-") {
      const match = /^-([A-Za-z]+)/.exec(text.slice(i));
      if (match === null) throw new MembershipRuleError("expected an operator after '-'", i);
      tokens.push({ kind: "operator", text: match[1]!.toLowerCase(), at: i });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      tokens.push({ kind: "word", text: match[0], at: i });
      i += match[0].length;
    } else {
      throw new MembershipRuleError(`unexpected character '${c}'`, i);
    }
  }
  tokens.push({ kind: "end", at: text.length });
  return tokens;
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): RuleNode {
    const node = this.or();
    const next = this.peek();
    if (next.kind !== "end") throw new MembershipRuleError(`unexpected ${describe(next)}`, next.at);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    return this.tokens[this.index++]!;
  }

  private isOperator(text: string): boolean {
    const token = this.peek();
    return token.kind === "operator" && token.text === text;
  }

  private expect(kind: Token["kind"], what: string): Token {
    const token = this.next();
    if (token.kind !== kind) throw new MembershipRuleError(`expected ${what}, found ${describe(token)}`, token.at);
    return token;
  }

  private or(): RuleNode {
    const operands = [this.and()];
    while (this.isOperator("or")) {
      this.next();
      operands.push(this.and());
    }
    return operands.length === 1 ? operands[0]! : { type: "or", operands };
  }

  private and(): RuleNode {
    const operands = [this.unary()];
    while (this.isOperator("and")) {
      this.next();
      operands.push(this.unary());
    }
    return operands.length === 1 ? operands[0]! : { type: "and", operands };
  }

  private unary(): RuleNode {
    if (this.isOperator("not")) {
      this.next();
      return { type: "not", operand: this.unary() };
    }
    if (this.peek().kind === "(") {
      this.next();
      const inner = this.or();
      this.expect(")", "')'");
      return inner;
    }
    return this.comparison();
  }

  private comparison(): RuleNode {
    const { name, multi, at } = this.property();
    const operatorToken = this.expect("operator", "an operator such as -eq");
    const keyword = (operatorToken as { text: string }).text;
    if (keyword === "any" || keyword === "all") {
      if (!multi) throw new MembershipRuleError(`-${keyword} applies to multi-valued properties; ${name} has one value`, operatorToken.at);
      this.expect("(", "'(' after -" + keyword);
      const placeholder = this.next();
      if (placeholder.kind !== "word" || placeholder.text !== "_") {
        throw new MembershipRuleError("expected '_' (the current value) inside -" + keyword, placeholder.at);
      }
      const { operator, value } = this.operatorAndValue();
      this.expect(")", "')'");
      return { type: "quantified", quantifier: keyword, property: name, operator, value };
    }
    if (multi) throw new MembershipRuleError(`${name} has many values: use -any or -all`, at);
    this.index--;
    const { operator, value } = this.operatorAndValue();
    return { type: "compare", property: name, operator, value };
  }

  private property(): { name: DevicePropertyName; multi: boolean; at: number } {
    const object = this.expect("word", "a property such as device.devicePhysicalIds") as { text: string; at: number };
    if (object.text.toLowerCase() !== "device") throw new MembershipRuleError(`only device properties are supported, not ${object.text}`, object.at);
    this.expect(".", "'.'");
    const property = this.expect("word", "a device property name") as { text: string; at: number };
    const known = DEVICE_PROPERTIES.get(property.text.toLowerCase());
    if (known === undefined) throw new MembershipRuleError(`unknown device property ${property.text}`, property.at);
    return { ...known, at: object.at };
  }

  private operatorAndValue(): { operator: RuleOperator; value: RuleValue } {
    const token = this.expect("operator", "a comparison operator such as -eq") as { text: string; at: number };
    if (!OPERATORS.has(token.text)) throw new MembershipRuleError(`unknown operator -${token.text}`, token.at);
    const operator = token.text as RuleOperator;
    const value = this.value();
    const listOperator = operator === "in" || operator === "notin";
    if (listOperator !== (value.kind === "list")) {
      throw new MembershipRuleError(listOperator ? `-${operator} needs a list ["a", "b"]` : `-${operator} needs a single value`, token.at);
    }
    if ((operator === "match" || operator === "notmatch") && value.kind === "string") {
      try {
        new RegExp(value.value, "i");
      } catch {
        throw new MembershipRuleError(`not a regular expression: ${value.value}`, token.at);
      }
    }
    if (value.kind !== "string" && value.kind !== "list" && operator !== "eq" && operator !== "ne") {
      throw new MembershipRuleError(`-${operator} needs a string`, token.at);
    }
    return { operator, value };
  }

  private value(): RuleValue {
    const token = this.next();
    if (token.kind === "string") return { kind: "string", value: token.text };
    if (token.kind === "word") {
      const word = token.text.toLowerCase();
      if (word === "true" || word === "false") return { kind: "boolean", value: word === "true" };
      if (word === "null") return { kind: "null" };
    }
    if (token.kind === "[") {
      const values: string[] = [];
      for (;;) {
        values.push((this.expect("string", "a string in the list") as { text: string }).text);
        const separator = this.next();
        if (separator.kind === "]") break;
        if (separator.kind !== ",") throw new MembershipRuleError(`expected ',' or ']', found ${describe(separator)}`, separator.at);
      }
      return { kind: "list", values };
    }
    throw new MembershipRuleError(`expected a value ("text", true, false, null or a list), found ${describe(token)}`, token.at);
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case "end":
      return "the end of the rule";
    case "operator":
      return `-${token.text}`;
    case "word":
      return token.text;
    case "string":
      return `"${token.text}"`;
    default:
      return `'${token.kind}'`;
  }
}

/**
 * Parses a membership rule.
 * @throws MembershipRuleError with the position of the first problem.
 */
export function parseMembershipRule(text: string): RuleNode {
  if (text.length > MAX_RULE_LENGTH) throw new MembershipRuleError(`a rule is at most ${MAX_RULE_LENGTH} characters`, MAX_RULE_LENGTH);
  if (text.trim() === "") throw new MembershipRuleError("the rule is empty", 0);
  return new Parser(tokenize(text)).parse();
}

function compare(actual: string, operator: RuleOperator, value: RuleValue): boolean {
  const subject = actual.toLowerCase();
  switch (value.kind) {
    case "null":
      return operator === "eq" ? actual === "" : actual !== "";
    case "boolean":
      return (subject === String(value.value)) === (operator === "eq");
    case "list": {
      const found = value.values.some((candidate) => candidate.toLowerCase() === subject);
      return operator === "in" ? found : !found;
    }
    case "string": {
      const expected = value.value.toLowerCase();
      switch (operator) {
        case "eq":
          return subject === expected;
        case "ne":
          return subject !== expected;
        case "startswith":
          return subject.startsWith(expected);
        case "notstartswith":
          return !subject.startsWith(expected);
        case "contains":
          return subject.includes(expected);
        case "notcontains":
          return !subject.includes(expected);
        case "match":
          return new RegExp(value.value, "i").test(actual);
        case "notmatch":
          return !new RegExp(value.value, "i").test(actual);
        default:
          return false;
      }
    }
  }
}

/** True when `device` satisfies the parsed rule. */
export function evaluateMembershipRule(rule: RuleNode, device: RuleDevice): boolean {
  switch (rule.type) {
    case "or":
      return rule.operands.some((operand) => evaluateMembershipRule(operand, device));
    case "and":
      return rule.operands.every((operand) => evaluateMembershipRule(operand, device));
    case "not":
      return !evaluateMembershipRule(rule.operand, device);
    case "compare":
      return compare(device[rule.property] as string, rule.operator, rule.value);
    case "quantified": {
      const values = device[rule.property] as readonly string[];
      const test = (value: string) => compare(value, rule.operator, rule.value);
      return rule.quantifier === "any" ? values.some(test) : values.every(test);
    }
  }
}
