//! No CloudFormation input makes the importer panic: truncated examples,
//! random text and mangled intrinsics all end in a model or in errors
//! with positions.

use std::path::Path;

use proptest::prelude::*;
use rampart_iac::{IacFormat, SourceFile, import_cloudformation};

fn examples() -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac/cloudformation");
    IacFormat::CloudFormation.read_dir(&root).expect("examples are readable")
}

/// Imports `files`; errors must carry a position.
fn import(files: &[SourceFile]) {
    if let Err(errors) = import_cloudformation("fuzz", files) {
        assert!(!errors.is_empty());
        assert!(errors.iter().any(|e| e.is_error()), "{errors:?}");
    }
}

#[test]
fn every_prefix_of_the_examples_imports_or_fails_cleanly() {
    for file in examples() {
        let boundaries: Vec<usize> = file.text.char_indices().map(|(i, _)| i).step_by(5).collect();
        for end in boundaries {
            import(&[SourceFile::new(file.path.clone(), &file.text[..end])]);
        }
    }
}

#[test]
fn deeply_nested_intrinsics_do_not_overflow_the_stack() {
    let nested = format!("{}x{}", "!Base64 [".repeat(400), "]".repeat(400));
    import(&[SourceFile::new(
        "t.yaml",
        format!("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: {nested}\n"),
    )]);
    let conditions = "Conditions:\n  A: !Condition B\n  B: !Condition A\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Condition: A\n";
    import(&[SourceFile::new("t.yaml", conditions)]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(text in "(?s).{0,400}") {
        import(&[SourceFile::new("t.yaml", text.clone())]);
        import(&[SourceFile::new("t.json", format!("{{\"Resources\": {text}"))]);
    }

    #[test]
    fn template_shaped_noise_never_panics(
        values in prop::collection::vec(
            prop_oneof![
                Just("!Ref Thing".to_string()),
                Just("!Ref AWS::NoValue".to_string()),
                Just("!GetAtt Thing.Arn".to_string()),
                Just("!GetAtt [Thing]".to_string()),
                Just("!Sub \"${Thing.Arn}/${P}/${!x}/${\"".to_string()),
                Just("!Join [\",\", [a, !Ref P]]".to_string()),
                Just("!Select [7, [a]]".to_string()),
                Just("!Select [-1, !Split [\",\", !Ref P]]".to_string()),
                Just("!If [C, !Ref Thing, !Ref AWS::NoValue]".to_string()),
                Just("!FindInMap [M, !Ref P, k]".to_string()),
                Just("!Equals [a]".to_string()),
                Just("{\"Fn::GetAtt\": 5}".to_string()),
                Just("{\"Fn::Nope\": [1]}".to_string()),
                Just("[!Cidr [a, 1, 2], !GetAZs '', !ImportValue x]".to_string()),
                "[a-zA-Z0-9:*./ -]{0,20}",
            ],
            0..8,
        ),
        kinds in prop::collection::vec(
            prop_oneof![
                Just("AWS::S3::Bucket"), Just("AWS::EC2::SecurityGroup"), Just("AWS::ElasticLoadBalancingV2::Listener"),
                Just("AWS::ECS::Service"), Just("AWS::Lambda::Function"), Just("AWS::IAM::Role"), Just("AWS::Nope::X"),
            ],
            1..4,
        ),
    ) {
        let mut text = String::from("Parameters:\n  P:\n    Type: String\n    Default: a,b\nMappings:\n  M:\n    a:\n      k: v\nConditions:\n  C: !Equals [!Ref P, a]\nResources:\n");
        for (i, kind) in kinds.iter().enumerate() {
            let name = if i == 0 { "Thing".to_string() } else { format!("R{i}") };
            text.push_str(&format!("  {name}:\n    Type: {kind}\n    Properties:\n"));
            for (j, value) in values.iter().enumerate() {
                let key = ["BucketName", "SecurityGroupIngress", "DefaultActions", "LoadBalancers", "Environment", "Policies", "Tags", "VpcId"][j % 8];
                text.push_str(&format!("      {key}: {value}\n"));
            }
        }
        import(&[SourceFile::new("t.yaml", text)]);
    }
}
