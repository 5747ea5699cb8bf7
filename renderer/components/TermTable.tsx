/** The words that set one set of texts apart from another (weighted log-odds), as the spike drill and error analysis show them. */
export function TermTable({
  terms,
  focus,
  baseline,
  testId,
}: {
  terms: { term: string; focus: number; baseline: number; z: number }[];
  focus: string;
  baseline: string;
  testId: string;
}) {
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          <th>term</th>
          <th>{focus}</th>
          <th>{baseline}</th>
          <th>z</th>
        </tr>
      </thead>
      <tbody>
        {terms.slice(0, 12).map((term) => (
          <tr key={term.term}>
            <td>{term.term}</td>
            <td className="num">{term.focus}</td>
            <td className="num">{term.baseline}</td>
            <td className="num">{term.z.toFixed(1)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
