//! Whether a network's declared sizes can fit a core or a mesh, checked before the network is
//! built (see `model::declared`): what cannot fit is refused before anything per neuron or per
//! synapse is allocated, with the mapper's own errors.
//!
//! These are the mapper's count checks ([`map_network`](super::map_network)'s neurons and
//! axons, [`map_mesh`](super::mesh::map_mesh)'s axons per population and cores), in the same
//! order, on sizes alone. A network that passes can still fail the mapper on what needs the
//! weights (exact range, accumulator slots, the greedy partition, fan-out tables); those
//! checks then run on a network no larger than the hardware.

use super::mesh::{MeshMapError, MeshShape};
use super::MapError;
use crate::model::DeclaredSizes;
use crate::shape::{CoreShape, SUPPORTED_SHAPES};

/// Refuses sizes that cannot fit `mesh` of `shape` cores (one core for a 1x1 mesh).
pub fn check_fit(
    sizes: &DeclaredSizes,
    mesh: MeshShape,
    shape: CoreShape,
) -> Result<(), MeshMapError> {
    let neurons = sizes.neurons() as usize;
    if mesh.cores() == 1 || !shape.is_supported() {
        return Ok(check_core(sizes, shape)?);
    }
    for (pop, (name, _)) in sizes.populations.iter().enumerate() {
        let needed: usize = sizes
            .projections
            .iter()
            .filter(|&&(_, to)| to == pop)
            .map(|&(from, _)| from)
            .sum();
        if needed > shape.axons {
            return Err(MeshMapError::TooManyAxons {
                population: name.clone(),
                needed,
                available: shape.axons,
            });
        }
    }
    let capacity = mesh.cores() * shape.neurons;
    if neurons > capacity {
        // The first population that ends past the last core's last neuron.
        let mut end = 0;
        let population = sizes
            .populations
            .iter()
            .find(|(_, size)| {
                end += size;
                end > capacity
            })
            .map(|(name, _)| name.clone())
            .unwrap_or_default();
        return Err(MeshMapError::TooFewCores {
            needed: neurons.div_ceil(shape.neurons),
            available: mesh.cores(),
            mesh,
            neurons: shape.neurons,
            axons: shape.axons,
            population,
        });
    }
    Ok(())
}

/// Refuses sizes that cannot fit one core of `shape`.
pub fn check_core(sizes: &DeclaredSizes, shape: CoreShape) -> Result<(), MapError> {
    if !shape.is_supported() {
        return Err(MapError::UnsupportedShape {
            neurons: shape.neurons,
            axons: shape.axons,
            supported: SUPPORTED_SHAPES
                .iter()
                .map(|(n, a)| format!("{n}x{a}"))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let neurons = sizes.neurons() as usize;
    if neurons > shape.neurons {
        return Err(MapError::TooManyNeurons {
            needed: neurons,
            available: shape.neurons,
        });
    }
    let axons: usize = sizes.projections.iter().map(|&(from, _)| from).sum();
    if axons > shape.axons {
        return Err(MapError::TooManyAxons {
            needed: axons,
            available: shape.axons,
        });
    }
    Ok(())
}

/// Refuses sizes that fit none of `shapes` (a board not asked yet: any core a build can
/// have), with the error of the last shape (the largest, in table order).
pub fn check_any_core(sizes: &DeclaredSizes, shapes: &[(usize, usize)]) -> Result<(), MapError> {
    let mut last = Ok(());
    for &(neurons, axons) in shapes {
        last = check_core(sizes, CoreShape { neurons, axons });
        if last.is_ok() {
            return last;
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::map_network;
    use crate::map::mesh::map_mesh;
    use crate::model::network::Network;

    fn sizes(populations: &[usize], projections: &[(usize, usize)]) -> DeclaredSizes {
        DeclaredSizes {
            populations: populations
                .iter()
                .enumerate()
                .map(|(i, &s)| (format!("p{i}"), s))
                .collect(),
            inputs: vec![],
            projections: projections.to_vec(),
            input_spikes: 0,
        }
    }

    #[test]
    fn refuses_what_the_mapper_refuses_with_its_message() {
        let net = |pops: &[usize], projections: &[(usize, usize)]| {
            let populations: Vec<String> = pops
                .iter()
                .enumerate()
                .map(|(i, s)| format!(r#"{{"name": "p{i}", "size": {s}, "neuron": {{"vth": 1}}}}"#))
                .collect();
            let projections: Vec<String> = projections
                .iter()
                .map(|&(from, to)| {
                    let row = format!("[{}]", vec!["0"; pops[from]].join(","));
                    let rows = vec![row; pops[to]].join(",");
                    format!(r#"{{"from": "p{from}", "to": "p{to}", "weights": [{rows}]}}"#)
                })
                .collect();
            Network::from_json_str(
                &format!(
                    r#"{{"ticks": 1, "populations": [{}], "projections": [{}]}}"#,
                    populations.join(","),
                    projections.join(",")
                ),
                None,
            )
            .unwrap()
        };
        let shape = CoreShape {
            neurons: 64,
            axons: 64,
        };
        let one = MeshShape::default();
        let two_by_two = MeshShape {
            width: 2,
            height: 2,
        };
        // Too many neurons, too many axons on one core; too few cores, a population with too
        // many inputs on a mesh.
        for (pops, projections, mesh) in [
            (vec![40, 30], vec![], one),
            (vec![40, 20], vec![(0, 1), (1, 0), (0, 0)], one),
            (vec![100, 100, 100], vec![], two_by_two),
            (vec![50, 50], vec![(0, 1), (1, 1)], two_by_two),
        ] {
            // Endpoint sizes as the declared (source size, target) pairs.
            let declared: Vec<(usize, usize)> = projections
                .iter()
                .map(|&(from, to)| (pops[from], to))
                .collect();
            let early = check_fit(&sizes(&pops, &declared), mesh, shape).unwrap_err();
            let mapped = map_mesh(&net(&pops, &projections), mesh, shape).unwrap_err();
            assert_eq!(early.to_string(), mapped.to_string());
        }
        // What fits passes, on one core and on the mesh.
        let fits = sizes(&[30, 30], &[(30, 1), (30, 0)]);
        assert!(check_fit(&fits, one, shape).is_ok());
        assert!(check_fit(&sizes(&[100, 100], &[(64, 0)]), two_by_two, shape).is_ok());
        assert!(map_network(&net(&[30, 30], &[(0, 1), (1, 0)]), shape).is_ok());
        // A board of any shape: 1024 neurons is the largest core.
        assert!(check_any_core(&sizes(&[1000], &[]), &SUPPORTED_SHAPES).is_ok());
        let err = check_any_core(&sizes(&[1025], &[]), &SUPPORTED_SHAPES).unwrap_err();
        assert_eq!(
            err.to_string(),
            "network needs 1025 neurons but the core has 1024 (1 too many)"
        );
    }
}
